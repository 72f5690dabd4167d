import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArboretumError } from '../../../../schemas/errors.ts';

/**
 * The Apache Kafka release the local broker runs by default. The backend's tests pass on 4.1.2 and 4.4.0
 * (connectors/log/kafka/README.md); 3.x releases still start (reload4j logging) where Maven serves them.
 */
export const KAFKA_VERSION = '4.4.0';

/** True for the 4.x release line and later, which log through log4j 2 (3.x: log4j 1 / reload4j). */
export function usesLog4j2(version: string): boolean {
  return Number(version.split('.')[0]) >= 4;
}

const dependency = (group: string, artifact: string, version: string) =>
  `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;

/** The broker ships no logging backend: slf4j 1 + reload4j for 3.x, slf4j 2 + log4j 2 for 4.x. */
function loggingDependencies(version: string): string {
  return (
    usesLog4j2(version)
      ? [
          dependency('org.apache.logging.log4j', 'log4j-slf4j2-impl', '2.24.3'),
          dependency('org.apache.logging.log4j', 'log4j-core', '2.24.3'),
        ]
      : [
          dependency('org.slf4j', 'slf4j-reload4j', '1.7.36'),
          dependency('ch.qos.reload4j', 'reload4j', '1.2.25'),
        ]
  ).join('\n    ');
}

/** Folder of cached broker jars: $ARBORETUM_CACHE or $XDG_CACHE_HOME/arboretum or ~/.cache/arboretum. */
export function cacheRoot(): string {
  return (
    process.env.ARBORETUM_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'arboretum')
  );
}

/** Throws UNSUPPORTED saying what to install when `command` does not run. */
export function requireTool(command: 'java' | 'mvn'): void {
  const run = spawnSync(command, command === 'java' ? ['-version'] : ['-v'], { stdio: 'ignore' });
  if (run.error || run.status !== 0) {
    const what =
      command === 'java'
        ? 'Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)'
        : 'Apache Maven (Debian/Ubuntu: apt-get install maven), to fetch the Kafka broker jars once';
    throw new ArboretumError(
      'UNSUPPORTED',
      `the local Kafka broker needs ${what}: \`${command}\` did not run`,
    );
  }
}

/**
 * The folder holding every jar of the Kafka broker `version` and its logging binding, fetched once from Maven
 * Central with `mvn dependency:copy-dependencies` (into a temporary folder, then renamed, so a half fetch is never
 * used); later calls are offline.
 */
export async function brokerJars(version = KAFKA_VERSION): Promise<string> {
  const home = join(cacheRoot(), `kafka-${version}`);
  const libs = join(home, 'libs');
  if (existsSync(join(libs, `kafka_2.13-${version}.jar`))) return libs;
  requireTool('mvn');
  await mkdir(home, { recursive: true });
  const template = await readFile(join(dirname(fileURLToPath(import.meta.url)), 'pom.xml'), 'utf8');
  await writeFile(
    join(home, 'pom.xml'),
    template.replaceAll('@KAFKA_VERSION@', version).replace('@LOGGING@', loggingDependencies(version)),
  );
  const partial = join(home, `libs.partial-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  const run = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'],
    { cwd: home, encoding: 'utf8', maxBuffer: 16 << 20 },
  );
  if (run.error || run.status !== 0) {
    await rm(partial, { recursive: true, force: true });
    throw new ArboretumError(
      'LOG_UNAVAILABLE',
      `fetching Kafka ${version} jars with Maven failed (in ${home}):\n${(run.stdout ?? '') + (run.stderr ?? '') || run.error?.message}`,
    );
  }
  if (!(await readdir(partial)).includes(`kafka_2.13-${version}.jar`)) {
    throw new ArboretumError('LOG_UNAVAILABLE', `Maven fetched no kafka_2.13-${version}.jar into ${partial}`);
  }
  await rm(libs, { recursive: true, force: true });
  await rename(partial, libs);
  return libs;
}

// The scripted server moved out of test/ (examples and benchmarks run it); tests keep importing it from here.
export * from '../../connectors/llm/scripted/startScriptedOpenAI.ts';

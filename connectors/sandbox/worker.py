# A long-lived helper run inside bubblewrap by createPythonWorker: one JSON request per stdin line,
# one JSON reply per stdout line. Operations:
#   {"op": "syntax", "code": str}              -> {"ok": bool, "error": str|None, "line": int|None}
#   {"op": "equal", "a": str, "b": str}        -> {"result": "equal"|"different"|"error", "detail": str}
#   {"op": "verify", "gold": str, "pred": str} -> {"result": "equal"|"different"|"error", "detail": str}
#       Math-Verify's parse() of both LaTeX texts, then verify(gold, pred); its own signal timeouts are off
#       (the caller's kill is the one time bound). Math-Verify is imported from $ARBORETUM_PYLIB. Parses
#       are kept (LRU, 4096 texts) unless "cache": false.
# The caller owns the timeout: it kills this process when a call takes too long and starts a new one.
import ast
import collections
import json
import os
import resource
import sys
import warnings

warnings.simplefilter('ignore')
sys.setrecursionlimit(3000)

memory = os.environ.get('ARBORETUM_MEMORY_BYTES')
if memory:
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))

_sympy = None
_math_verify = None


def sympy():
    global _sympy
    if _sympy is None:
        import sympy as s
        from sympy.parsing import sympy_parser as p

        _sympy = (s, p)
    return _sympy


def math_verify():
    global _math_verify
    if _math_verify is None:
        pylib = os.environ.get('ARBORETUM_PYLIB')
        if pylib and pylib not in sys.path:
            sys.path.insert(0, pylib)
        import logging

        logging.getLogger('math_verify').setLevel(logging.CRITICAL)
        logging.getLogger('latex2sympy2_extended').setLevel(logging.CRITICAL)
        from math_verify import parse as mv_parse
        from math_verify import verify as mv_verify

        _math_verify = (mv_parse, mv_verify)
    return _math_verify


# Parsed answers by text, newest last: a problem's gold and its common answers recur across a batch.
_parsed = collections.OrderedDict()
PARSED_MAX = 4096


def parsed(mv_parse, text):
    hit = _parsed.get(text)
    if hit is not None:
        _parsed.move_to_end(text)
        return hit
    value = mv_parse(text, parsing_timeout=None)
    _parsed[text] = value
    if len(_parsed) > PARSED_MAX:
        _parsed.popitem(last=False)
    return value


def verify(req):
    try:
        mv_parse, mv_verify = math_verify()
    except ImportError as e:
        return {'result': 'error', 'detail': 'math-verify is not installed (scripts/setup.d/25-math-verify.sh): %s' % e}
    try:
        cached = req.get('cache', True)
        gold = parsed(mv_parse, req['gold']) if cached else mv_parse(req['gold'], parsing_timeout=None)
        pred = parsed(mv_parse, req['pred']) if cached else mv_parse(req['pred'], parsing_timeout=None)
    except BaseException as e:
        return {'result': 'error', 'detail': 'parse: %s: %s' % (type(e).__name__, str(e)[:200])}
    if not gold:
        return {'result': 'error', 'detail': 'gold does not parse'}
    if not pred:
        return {'result': 'different', 'detail': 'prediction does not parse'}
    try:
        # An inequality and the interval it describes are one answer (`2 < x < 5` and `(2, 5)`), both ways.
        ok = mv_verify(gold, pred, timeout_seconds=None, allow_set_relation_comp=True)
    except BaseException as e:
        return {'result': 'error', 'detail': 'verify: %s: %s' % (type(e).__name__, str(e)[:200])}
    detail = '%s vs %s' % (str(gold[0])[:120], str(pred[0])[:120])
    return {'result': 'equal' if ok else 'different', 'detail': detail}


def syntax(req):
    try:
        ast.parse(req['code'], '<action>', 'exec')
        return {'ok': True, 'error': None, 'line': None}
    except SyntaxError as e:
        return {'ok': False, 'error': '%s: %s' % (type(e).__name__, e.msg), 'line': e.lineno}
    except (ValueError, RecursionError, MemoryError) as e:
        return {'ok': False, 'error': '%s: %s' % (type(e).__name__, e), 'line': None}


def parse(text):
    s, p = sympy()
    transformations = p.standard_transformations + (
        p.implicit_multiplication_application,
        p.convert_xor,
    )
    local = {name: s.Symbol(name) for name in ('E', 'I', 'N', 'S', 'O', 'Q', 'C', 'beta', 'gamma', 'lambda')}
    local.update({'pi': s.pi, 'e': s.E, 'i': s.I, 'oo': s.oo, 'inf': s.oo, 'infty': s.oo})
    # parse_expr evaluates Python: harmless here only because this process is sandboxed.
    return p.parse_expr(text, local_dict=local, transformations=transformations, evaluate=True)


def equal(req):
    s, _ = sympy()
    try:
        a = parse(req['a'])
        b = parse(req['b'])
    except BaseException as e:
        return {'result': 'error', 'detail': 'parse: %s: %s' % (type(e).__name__, str(e)[:200])}
    try:
        if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
            return {'result': 'different', 'detail': 'sequence'}
        if a == b:
            return {'result': 'equal', 'detail': 'structural'}
        diff = s.simplify(a - b)
        if diff == 0:
            return {'result': 'equal', 'detail': 'simplify'}
        if diff.is_number:
            value = complex(s.N(diff, 30))
            scale = max(1.0, abs(complex(s.N(b, 30)))) if b.is_number else 1.0
            if abs(value) <= 1e-9 * scale:
                return {'result': 'equal', 'detail': 'numeric'}
            return {'result': 'different', 'detail': 'numeric'}
        eq = a.equals(b)
        if eq is True:
            return {'result': 'equal', 'detail': 'equals'}
        return {'result': 'different', 'detail': 'symbolic'}
    except BaseException as e:
        return {'result': 'error', 'detail': '%s: %s' % (type(e).__name__, str(e)[:200])}


def main():
    # Replies go to a private copy of stdout; fd 1 itself points to /dev/null so that nothing evaluated
    # on the way (sympy's parser evaluates Python) can print a line that looks like a reply.
    proto = os.fdopen(os.dup(1), 'w')
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, 'w')
    ops = {'syntax': syntax, 'equal': equal, 'verify': verify}
    if os.environ.get('ARBORETUM_PRELOAD_SYMPY'):
        sympy()
    if os.environ.get('ARBORETUM_PRELOAD_MATH_VERIFY'):
        try:
            math_verify()
        except ImportError:
            pass  # reported by the first verify call
    proto.write(json.dumps({'ready': True}) + '\n')
    proto.flush()
    for line in sys.stdin:
        req = None
        try:
            req = json.loads(line)
            reply = ops[req['op']](req)
        except BaseException as e:
            reply = {'error': '%s: %s' % (type(e).__name__, str(e)[:200])}
        reply['id'] = req.get('id') if isinstance(req, dict) else None
        proto.write(json.dumps(reply) + '\n')
        proto.flush()


main()

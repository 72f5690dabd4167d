"""Writes logic.jsonl and code.jsonl: the logic and code grader corpus (categories in pipelines/grade/LOGIC_CODE.md).

Every case is written here from answer styles models really produce (ReClor / LogiQA multiple choice, StrategyQA
true/false, FOLIO-style yes/no entailment, HotpotQA short spans, R1-style <think> traces; code-contest stdin/stdout,
TACO call-based, HumanEval and MBPP assert tests), each with the label a careful human gives it. Near-misses that
must stay incorrect sit beside the correct forms. Run: python3 pipelines/grade/corpus/makeLogicCodeCorpus.py
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(10)

CHOICES = [
    'The argument assumes what it sets out to prove.',
    'The sample of twelve schools is too small to support the conclusion.',
    'It confuses a cause with an effect.',
    'It relies on the testimony of an interested party.',
]

logic = []


def add(category, gold, pred, correct, choices=None, note=None):
    case = {'id': 'l%03d' % (len(logic) + 1), 'category': category, 'gold': gold, 'pred': pred, 'correct': correct}
    if choices is not None:
        case['choices'] = choices
    if note:
        case['note'] = note
    logic.append(case)


# 1. Option letters in every form, case-insensitive; near-misses: another letter, two letters, a negation.
for pred in ['B', '(B)', 'B)', 'B.', 'b', '(b)', 'Answer: B', 'answer: b', 'ANSWER: B', 'Answer:\nB', '**Answer:** B',
             '**Answer: (B)**', 'The answer is B.', 'The answer is (B).', 'the answer is b', '\\boxed{B}',
             '$\\boxed{\\text{B}}$', '<solution>B</solution>', '<solution> (B) </solution>', 'Final answer: B',
             'Final Answer: The final answer is (B). I hope it is correct.', 'Option B is correct.', 'I choose (B).',
             '#### B', 'Thus, the correct option is B.', 'The best answer is (B) because twelve schools are too few.',
             'B) The sample of twelve schools is too small to support the conclusion.', 'Answer: Option B',
             'Correct answer: (B)', 'So the answer is: B']:
    add('mc-letter', 'B', pred, True, CHOICES)
for pred in ['C', '(C)', 'Answer: C', 'answer: c', '\\boxed{D}', 'The answer is (A).', 'A or B', '(B) or (C)',
             'Answer: B or D', 'Not B.', 'Both A and B', 'E', 'None of them.', '', 'Answer:',
             'B is tempting, but the answer is C.', '(B) looked right at first.\nFinal answer: (C)',
             'The answer is "B" but only if we ignore the date.\nAnswer: D', '\\boxed{A}\n\nI think B might also work.']:
    add('mc-letter', 'B', pred, False, CHOICES, 'near-miss')
# Gold written as a letter in other forms.
for gold in ['(B)', 'b', 'B.', 'Answer: B']:
    add('mc-letter', gold, 'The answer is B.', True, CHOICES)
    add('mc-letter', gold, 'The answer is C.', False, CHOICES, 'near-miss')

# 2. The option's text instead of its letter.
for pred in ['The sample of twelve schools is too small to support the conclusion.',
             'the sample of twelve schools is too small to support the conclusion',
             'Answer: The sample of twelve schools is too small to support the conclusion',
             'The flaw: the sample of twelve schools is too small to support the conclusion.',
             '<solution>The sample of twelve schools is too small to support the conclusion.</solution>']:
    add('mc-option-text', 'B', pred, True, CHOICES)
for pred in ['It confuses a cause with an effect.', 'The sample is large enough.', 'the sample of twelve schools',
             'Answer: It relies on the testimony of an interested party.']:
    add('mc-option-text', 'B', pred, False, CHOICES, 'near-miss')

# 3. Reasoning that discusses every option, then concludes.
REASONS = {
    'A': 'Option (A) is wrong: the argument does not presuppose its conclusion.',
    'B': 'Option (B) fits: twelve schools cannot represent every school in the country.',
    'C': 'Option (C) does not apply, since no causal claim is made.',
    'D': 'Option (D) is irrelevant; no testimony is cited.',
}
ENDINGS = ['Therefore, the answer is ({}).', 'So the correct choice is {}.', 'Answer: {}', 'The answer is {}.',
           'Hence ({}).', '**Final answer: {}**', 'Thus, {} is the best answer.']
for i, ending in enumerate(ENDINGS):
    order = ['A', 'B', 'C', 'D']
    rng.shuffle(order)
    body = "Let's examine each option.\n" + '\n'.join(REASONS[k] for k in order) + '\n\n'
    add('mc-concluding', 'B', body + ending.format('B'), True, CHOICES)
    wrong = 'CDA'[i % 3]
    add('mc-concluding', 'B', body + ending.format(wrong), False, CHOICES, 'near-miss: concludes another option')

# 4. Yes / no said in prose (entailment, FOLIO-style), quotations are not answers.
PROSE_NO = ['No, it does not logically follow: the premise only covers some members.', 'No. The premise only covers some members.',
            '**No.** The conclusion needs an extra assumption.', 'No — the conclusion needs an extra assumption.',
            'Premise 2 covers only some birds.\nTherefore, no.', 'So the answer is no.', 'The answer is: No',
            'Answer: no', '\\boxed{No}', '<solution>No</solution>', 'NO', 'no, because nothing says Tweety is in the park.',
            'Final answer: No', 'Step 1: The premises do not mention Tweety.\nStep 2: So we cannot conclude it.\nAnswer: No']
for pred in PROSE_NO:
    add('yes-no-prose', 'no', pred, True)
    add('yes-no-prose', 'yes', pred, False, note='near-miss: the opposite')
PROSE_YES = ['Yes, it follows directly from the two premises.', 'Yes. Every pigeon is a bird.', '**Yes**',
             'Both premises hold, so yes.', 'Therefore, yes, Tweety is a bird.', 'The answer is yes.', 'Answer: Yes',
             '\\boxed{\\text{Yes}}', 'yes']
for pred in PROSE_YES:
    add('yes-no-prose', 'yes', pred, True)
    add('yes-no-prose', 'no', pred, False, note='near-miss: the opposite')
for gold, pred in [('no', 'Not necessarily: the premise is silent on that.'), ('no', 'No doubt, the conclusion follows.'),
                   ('yes', 'Yes or no? The evidence says no.'), ('yes', 'Maybe.'), ('no', 'It is unclear.'),
                   ('yes', 'Nobody can tell from these premises.')]:
    add('yes-no-prose', gold, pred, False, note='near-miss')

QUOTE = ('Step 1: Every bird in the park is a pigeon, and Tweety is in the park.\nStep 2: So Tweety is a pigeon.\n'
         'The correct answer is yes.\n\nA common slip is to write The answer is "no" but that ignores step 1.')
add('yes-no-quoted', 'yes', QUOTE, True, note='the later quotation is a mention')
add('yes-no-quoted', 'no', QUOTE, False, note='near-miss: the quotation is not the answer')
add('yes-no-quoted', 'yes', 'He said "the answer is no", but he misread it.\nAnswer: "yes"', True)
add('yes-no-quoted', 'no', 'He said "the answer is no", but he misread it.\nAnswer: "yes"', False, note='near-miss')
add('yes-no-quoted', 'no', 'The claim is “yes” according to the author, but I disagree: the answer is no.', True)
add('yes-no-quoted', 'yes', 'The claim is “yes” according to the author, but I disagree: the answer is no.', False, note='near-miss')
add('yes-no-quoted', 'yes', 'Answer: yes\n\n(Someone might object: "the answer is no, since Tweety could fly away.")', True)
add('yes-no-quoted', 'no', 'Answer: yes\n\n(Someone might object: "the answer is no, since Tweety could fly away.")', False, note='near-miss')

# 5. True / false (StrategyQA: gold True or False).
for pred in ['True', 'true.', 'The statement is true.', 'So the answer is True.', 'Answer: True', '\\boxed{True}',
             'Ice is frozen water, which is cold. Therefore, true.', 'This claim is therefore true.']:
    add('true-false', 'True', pred, True)
    add('true-false', 'False', pred, False, note='near-miss: the opposite')
for pred in ['False', 'The statement is false.', 'Answer: false', 'The hypothesis is incorrect.']:
    add('true-false', 'False', pred, True)
for pred in ['The statement is not true.', 'It could be true.', 'Truly, nobody knows.']:
    add('true-false', 'True', pred, False, note='near-miss')

# 6. R1-style <think> traces, 20-30 KB: the reasoning is set aside, the conclusion after it counts.
FILLER = ['Wait, let me reconsider option {x}. Maybe the answer is {x}? Hmm, no.',
          'The passage says the survey covered twelve schools; "Answer: {x}" would ignore that.',
          'Let me re-read the question carefully. The flaw concerns the evidence, not the logic.',
          'So far, (A) and (C) look weak, (D) is off-topic, and (B) is the candidate.']


def trace(kb):
    parts = []
    while sum(len(p) for p in parts) < kb * 1024:
        parts.append(rng.choice(FILLER).format(x=rng.choice('ACD')))
    return '\n'.join(parts)


for kb, final, ok in [(20, 'The answer is (B).', True), (25, '**Answer: B**', True), (30, '\\boxed{B}', True),
                      (20, 'The answer is (C).', False), (24, 'Answer: D', False)]:
    add('think-trace', 'B', '<think>\n' + trace(kb) + '\n</think>\n\n' + final, ok, CHOICES,
        None if ok else 'near-miss: the conclusion after the trace is another option')
add('think-trace', 'B', '<think>\n' + trace(22) + '\nSo the answer is (B)', False, CHOICES,
    'near-miss: cut off inside <think>, no conclusion')
add('think-trace', 'yes', '<think>\nMaybe "no"? ' + trace(20) + '\n</think>\nYes, the conclusion follows.', True)

# 7. Short answers (HotpotQA): SQuAD normalisation, numbers by value; exact otherwise.
for gold, pred, ok in [("Arthur's Magazine", "Arthur's Magazine", True),
                       ("Arthur's Magazine", "The answer is Arthur's Magazine.", True),
                       ("Arthur's Magazine", 'Answer: arthurs magazine', True),
                       ("Arthur's Magazine", 'First for Women', False),
                       ('1,200', '1200', True), ('1,200', 'Answer: 1200.', True), ('1,200', '120', False),
                       ('Paris', '\\boxed{Paris}', True), ('Paris', 'Paris, France', False),
                       ('the United States', 'United States', True), ('the United States', 'USA', False),
                       ('1.5', '1.50', True), ('15', '1.5', False), ('Chicago', 'The answer is: chicago', True),
                       ('Chicago', 'Chicago Bulls', False),
                       ('"Weird Al" Yankovic', 'The answer is "Weird Al" Yankovic.', True),
                       ('"Weird Al" Yankovic', 'Weird Al', False)]:
    add('short-answer', gold, pred, ok, note=None if ok else 'near-miss')

with open(os.path.join(HERE, 'logic.jsonl'), 'w') as f:
    for c in logic:
        f.write(json.dumps(c, ensure_ascii=False) + '\n')

# ---------------------------------------------------------------------------------------------------------------
code = []


def addc(category, code_text, tests, correct, entry=None, kind=None, timeout=None, note=None):
    case = {'id': 'c%03d' % (len(code) + 1), 'category': category, 'code': code_text, 'tests': tests, 'correct': correct}
    if entry:
        case['entryPoint'] = entry
    if kind:
        case['testKind'] = kind
    if timeout:
        case['perTestTimeoutMs'] = timeout
    if note:
        case['note'] = note
    code.append(case)


def io(*pairs):
    return [{'input': i, 'output': o} for i, o in pairs]


# 1. Code-contest stdin/stdout with whitespace quirks (Codeforces 4A, 1A, and a float problem).
WATERMELON = io(('8\n', 'YES\n'), ('2\n', 'NO\n'), ('1\n', 'NO\n'), ('100\n', 'YES\n'), ('7', 'NO'))
addc('stdio', 'w = int(input())\nprint("YES" if w > 2 and w % 2 == 0 else "NO")', WATERMELON, True)
addc('stdio', 'w = int(input())\nprint("YES " if w > 2 and w % 2 == 0 else "NO ")', WATERMELON, True, note='trailing space')
addc('stdio', 'import sys\nw = int(sys.stdin.read())\nsys.stdout.write(("YES" if w > 2 and w % 2 == 0 else "NO"))', WATERMELON, True, note='no final newline')
addc('stdio', 'w = int(input())\nprint("YES" if w > 2 and w % 2 == 0 else "NO", end="\\r\\n\\n\\n")', WATERMELON, True, note='CRLF and blank lines')
addc('stdio', 'w = int(input())\nprint("YES" if w % 2 == 0 else "NO")', WATERMELON, False, note='near-miss: forgets w = 2')
addc('stdio', 'w = int(input())\nprint("Yes" if w > 2 and w % 2 == 0 else "No")', WATERMELON, False, note='near-miss: case')
addc('stdio', 'w = int(input())\nprint("answer:", "YES" if w > 2 and w % 2 == 0 else "NO")', WATERMELON, False, note='near-miss: extra token')
addc('stdio', 'w = int(input())\nprint(w)\nprint("YES" if w > 2 and w % 2 == 0 else "NO")', WATERMELON, False, note='near-miss: debug print')
THEATRE = io(('6 6 4\n', '4\n'), ('1 1 1\n', '1\n'), ('1000000000 1000000000 1\n', '1000000000000000000\n'))
addc('stdio', 'n, m, a = map(int, input().split())\nprint(-(-n // a) * -(-m // a))', THEATRE, True)
addc('stdio', 'n, m, a = map(int, input().split())\nprint(\n\n  -(-n // a) * -(-m // a)  )', THEATRE, True)
addc('stdio', 'n, m, a = map(int, input().split())\nprint(round(n / a + 0.5) * round(m / a + 0.5))', THEATRE, False, note='near-miss: float rounding')
addc('stdio', 'n, m, a = map(int, input().split())\nprint((n // a) * (m // a))', THEATRE, False, note='near-miss: floor')
CIRCLE = io(('2\n', '12.566371\n'), ('1\n', '3.141593\n'))
addc('stdio', 'import math\nr = int(input())\nprint(math.pi * r * r)', CIRCLE, True, note='reals within 1e-6')
addc('stdio', 'r = int(input())\nprint("%.6f" % (3.14159265 * r * r))', CIRCLE, True)
addc('stdio', 'r = int(input())\nprint(3.14 * r * r)', CIRCLE, False, note='near-miss: pi to 2 places')
SUMS = io(('3\n1 2 3\n', '6\n'), ('1\n-5\n', '-5\n'), ('4\n 10   20\n30 40 \n', '100\n'))
addc('stdio', 'input()\nprint(sum(map(int, input().split())))', SUMS, False, note='near-miss: numbers spread over lines')
addc('stdio', 'import sys\nd = sys.stdin.read().split()\nprint(sum(map(int, d[1:])))', SUMS, True, note='input split over lines')
# Runtime failures.
addc('stdio-errors', 'print(1 // int(input()) - 1)', io(('0', '0')), False, note='ZeroDivisionError')
addc('stdio-errors', 'a = input()\nb = input()\nprint(a + b)', io(('1\n', '11')), False, note='EOFError: reads past input')
addc('stdio-errors', 'w = int(input())\nwhile w > 0: pass\nprint("NO")', io(('1\n', 'NO')), False, timeout=300, note='timeout')
addc('stdio-errors', 'def f(:\n    pass', WATERMELON, False, note='syntax error')
addc('stdio-errors', 'import sys\nprint("YES")\nsys.exit(3)', io(('8\n', 'YES\n')), False, note='non-zero exit')
addc('stdio-errors', 'while True: print("x" * 100000)', io(('1', 'x')), False, timeout=2000, note='output flood')

# 2. Function-call tests (TACO fn_name, LeetCode-style Solution class): JSON arguments and return values.
CALL = io(('[[2, 7, 11, 15], 9]', '[0, 1]'), ('[[3, 2, 4], 6]', '[1, 2]'), ('[[3, 3], 6]', '[0, 1]'))
TWO_SUM = 'def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n        if target - x in seen:\n            return [seen[target - x], i]\n        seen[x] = i\n'
addc('function-call', TWO_SUM, CALL, True, entry='two_sum')
addc('function-call', TWO_SUM.replace('return [seen[target - x], i]', 'return (seen[target - x], i)'), CALL, True, entry='two_sum', note='tuple vs list')
addc('function-call', 'class Solution:\n    def two_sum(self, nums, target):\n        for i in range(len(nums)):\n            for j in range(i + 1, len(nums)):\n                if nums[i] + nums[j] == target:\n                    return [i, j]\n', CALL, True, entry='two_sum', note='Solution method')
addc('function-call', TWO_SUM.replace('return [seen[target - x], i]', 'return [i, seen[target - x]]'), CALL, False, entry='two_sum', note='near-miss: order')
addc('function-call', TWO_SUM.replace('return [seen[target - x], i]', 'print([seen[target - x], i])'), CALL, False, entry='two_sum', note='near-miss: prints instead of returning')
addc('function-call', 'def twoSum(nums, target):\n    return [0, 1]\n', CALL, False, entry='two_sum', note='near-miss: wrong name')
AVG = io(('[[1, 2, 3, 4]]', '[2.5]'), ('[[10]]', '[10.0]'), ('[[1, 2]]', '1.5'))
addc('function-call', 'def average(xs):\n    return sum(xs) / len(xs)\n', AVG, True, entry='average', note='TACO one-element list, reals')
addc('function-call', 'def average(xs):\n    return sum(xs) // len(xs)\n', AVG, False, entry='average', note='near-miss: integer division')
addc('function-call', 'def average(xs):\n    return round(sum(xs) / len(xs) + 1e-9, 12)\n', AVG, True, entry='average', note='within 1e-6')
NESTED = io(('[{"a": [1, 2]}]', '{"a": [2, 4]}'), ('[{}]', '{}'))
addc('function-call', 'def double(d):\n    return {k: [2 * x for x in v] for k, v in d.items()}\n', NESTED, True, entry='double')
addc('function-call', 'def double(d):\n    return {k: [x + x + 1 for x in v] for k, v in d.items()}\n', NESTED, False, entry='double', note='near-miss')
addc('function-call', 'def double(d):\n    return None\n', NESTED, False, entry='double', note='near-miss: None')

# 3. Assert-style: HumanEval check(candidate) (real problems 0, 2, 53) and MBPP assert lists (real tasks 2, 11, 17).
HE0 = ('def check(candidate):\n    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True\n'
       '    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False\n'
       '    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True\n    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True\n'
       '    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False\n\ncheck(has_close_elements)\n')
HE0_OK = ('from typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n'
          '    s = sorted(numbers)\n    return any(b - a < threshold for a, b in zip(s, s[1:]))\n')
addc('assert-humaneval', HE0_OK, io((HE0, '')), True, entry='has_close_elements', kind='assert')
addc('assert-humaneval', HE0_OK.replace('b - a < threshold', 'b - a <= threshold - 0.2'), io((HE0, '')), False, entry='has_close_elements', kind='assert', note='near-miss')
addc('assert-humaneval', HE0_OK + '\nif __name__ == "__main__":\n    print(has_close_elements([float(x) for x in input().split()], 0.5))\n',
     io((HE0, '')), True, entry='has_close_elements', kind='assert', note='demo __main__ block is not run')
addc('assert-humaneval', HE0_OK.replace('from typing import List\n\n', ''), io((HE0, '')), False, entry='has_close_elements', kind='assert', note='NameError: List not imported')
HE2 = ('def check(candidate):\n    assert candidate(3.5) == 0.5\n    assert abs(candidate(1.33) - 0.33) < 1e-6\n'
       '    assert abs(candidate(123.456) - 0.456) < 1e-6\n\ncheck(truncate_number)\n')
addc('assert-humaneval', 'def truncate_number(number: float) -> float:\n    return number % 1.0\n', io((HE2, '')), True, entry='truncate_number', kind='assert')
addc('assert-humaneval', 'def truncate_number(number: float) -> float:\n    return round(number % 1.0, 1)\n', io((HE2, '')), False, entry='truncate_number', kind='assert', note='near-miss: rounds')
HE53 = ('METADATA = {}\n\ndef check(candidate):\n    import random\n    assert candidate(0, 1) == 1\n    assert candidate(5, 7) == 12\n'
        '    for i in range(100):\n        x, y = random.randint(0, 1000), random.randint(0, 1000)\n        assert candidate(x, y) == x + y\n\ncheck(add)\n')
addc('assert-humaneval', 'def add(x: int, y: int):\n    return x + y\n', io((HE53, '')), True, entry='add', kind='assert')
addc('assert-humaneval', 'def add(x: int, y: int):\n    return x + y if x != 5 else x + y - 1\n', io((HE53, '')), False, entry='add', kind='assert', note='near-miss: off by one on one input')
addc('assert-humaneval', 'def add(x, y):\n    return x + y\nimport os\nos._exit(0)\n', io((HE53, '')), False, entry='add', kind='assert', note='exits before the tests run')
addc('assert-humaneval', 'def add(x, y):\n    while True:\n        pass\n', io((HE53, '')), False, entry='add', kind='assert', timeout=300, note='timeout')


def mbpp(asserts, setup=''):
    return [{'input': (setup + '\n' if setup else '') + a + '\n', 'output': ''} for a in asserts]


M2 = mbpp(['assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))',
           'assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))',
           'assert set(similar_elements((11, 12, 14, 13),(17, 15, 14, 13))) == set((13, 14))'])
addc('assert-mbpp', 'def similar_elements(test_tup1, test_tup2):\n  res = tuple(set(test_tup1) & set(test_tup2))\n  return (res) ', M2, True, kind='assert')
addc('assert-mbpp', 'def similar_elements(a, b):\n  return tuple(set(a) | set(b))', M2, False, kind='assert', note='near-miss: union')
M11 = mbpp(['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"', 'assert remove_Occ("PHP","P") == "H"'])
addc('assert-mbpp', 'def remove_Occ(s,ch):\n    for i in range(len(s)):\n        if (s[i] == ch):\n            s = s[0 : i] + s[i + 1:]\n            break\n    for i in range(len(s) - 1,-1,-1):\n        if (s[i] == ch):\n            s = s[0 : i] + s[i + 1:]\n            break\n    return s ', M11, True, kind='assert')
addc('assert-mbpp', 'def remove_Occ(s, ch):\n    return s.replace(ch, "")', M11, True, kind='assert', note='removes every occurrence: wrong, but MBPP task 11 tests cannot tell (graded by the tests)')
addc('assert-mbpp', 'def remove_Occ(s, ch):\n    return s.replace(ch, "", 1)', M11, False, kind='assert', note='near-miss: first only')
M17 = mbpp(['assert square_perimeter(10)==40', 'assert square_perimeter(5)==20', 'assert square_perimeter(4)==16'])
addc('assert-mbpp', 'def square_perimeter(a):\n  perimeter=4*a\n  return perimeter', M17, True, kind='assert')
addc('assert-mbpp', 'def square_perimeter(a):\n  return a * a', M17, False, kind='assert', note='near-miss: area (right for a = 4 only)')
HYP = mbpp(['assert math.isclose(hypotenuse(3, 4), 5.0)', 'assert math.isclose(hypotenuse(5, 12), 13.0)'], setup='import math')
addc('assert-mbpp', 'def hypotenuse(a, b):\n    return math.sqrt(a * a + b * b)', HYP, True, kind='assert', note='test_setup_code')
addc('assert-mbpp', 'def hypotenuse(a, b):\n    return (a + b) * 0.7143', HYP, False, kind='assert', note='near-miss: approximation')
addc('assert-mbpp', 'def square_perimeter(a):\n  return 4*a\nexit()', M17, False, kind='assert', note='exit() before the tests')

with open(os.path.join(HERE, 'code.jsonl'), 'w') as f:
    for c in code:
        f.write(json.dumps(c, ensure_ascii=False) + '\n')
print('logic: %d cases, code: %d cases' % (len(logic), len(code)))

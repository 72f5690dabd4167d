"""Writes math.jsonl: the math grader's own corpus (test/grade/mathCorpus.test.ts runs it).

Each case is {id, category, gold, pred, correct}: `gold` as a dataset gives it (a bare answer, a GSM8K
`#### n` solution or a MATH `\\boxed{}` solution), `pred` as a model writes it. Base answer pairs are
crossed with the wrappers models really use. Run: python3 pipelines/grade/corpus/makeMathCorpus.py
"""
import json
import os

cases = []


def add(category, gold, pred, correct):
    cases.append({'category': category, 'gold': gold, 'pred': pred, 'correct': correct})


# How models conclude (pred wrappers), each a function of the answer's LaTeX.
WRAP = {
    'boxed': lambda a: 'We simplify step by step.\n\nTherefore the result is $\\boxed{%s}$.' % a,
    'minerva': lambda a: 'Solving gives the value.\nFinal Answer: The final answer is $%s$. I hope it is correct.' % a,
    'answer-colon': lambda a: 'Putting it together, we get it.\n\nAnswer: $%s$' % a,
    'bold-answer': lambda a: 'Combining the two cases.\n\n**Answer:** $%s$' % a,
    'the-answer-is': lambda a: 'Checking the arithmetic once more, the answer is $%s$.' % a,
    'display': lambda a: 'Collecting terms, we obtain\n\\[\n%s\n\\]' % a,
    'bare': lambda a: a,
}

# --- GSM8K: `#### n` gold; word problems answered in prose.
gsm = [
    ('72', '72', True), ('1000', '1,000', True), ('18', '\\$18.00', True), ('5', '5 apples', True),
    ('2125', '2,125', True), ('0.5', '.5', True), ('12', '12.0', True), ('35', '35 dollars', True),
    ('72', '7.2', False), ('72', '720', False), ('18', '17', False), ('1000', '100', False),
    ('2125', '212.5', False), ('5', '-5', False), ('12', '1 2', False), ('60', '6', False),
]
for g, p, ok in gsm:
    gold = 'She sold 48/2 = <<48/2=24>>24 clips in May.\nAltogether she sold 48+24 = <<48+24=72>>72 clips.\n#### %s' % g
    add('gsm8k', gold, 'First we compute the parts.\nThen we add them up.\n#### %s' % p, ok)
    add('gsm8k', gold, 'So in total she has %s left.\nThe answer is %s.' % (p, p), ok)
    add('gsm8k', g, 'Step 1: 3 + 4 = 7.\nStep 2: 7 * 2 = 14.\nSo the final result is %s' % p, ok)

# --- MATH: boxed gold solutions; answers in every wrapper.
math_pairs = [
    ('\\frac{1}{2}', '0.5', True), ('\\frac{\\sqrt{3}}{2}', '\\frac{1}{2}\\sqrt{3}', True),
    ('2\\sqrt{2}', '\\sqrt{8}', True), ('\\frac{\\pi}{3}', '\\pi/3', True), ('x^2+2x+1', '(x+1)^2', True),
    ('\\dfrac{3}{4}', '\\frac34', True), ('-\\frac{2}{3}', '\\frac{-2}{3}', True), ('3^{10}', '59049', True),
    ('\\frac{1}{2}', '\\frac{1}{3}', False), ('\\sqrt{2}', '\\sqrt{3}', False), ('\\frac{\\pi}{3}', '1.05', False),
    ('x^2+2x+1', 'x^2+2x-1', False), ('2\\sqrt{2}', '2\\sqrt{3}', False), ('\\frac{1}{3}', '0.33', False),
]
for g, p, ok in math_pairs:
    gold = 'We have that $a = 2$, so the answer is $\\boxed{%s}$.' % g
    for name in ('boxed', 'minerva', 'answer-colon', 'bold-answer', 'the-answer-is', 'display', 'bare'):
        add('math-' + name, gold, WRAP[name](p), ok)

# --- Precedence: whichever concluding marker comes last wins.
prec = [
    ('5', 'At first I thought $\\boxed{3}$. Wait, that double counts.\nFinal Answer: The final answer is $5$. I hope it is correct.', True),
    ('3', 'At first I thought $\\boxed{3}$. Wait, that double counts.\nFinal Answer: The final answer is $5$. I hope it is correct.', False),
    ('5', 'The answer is 3. Let me re-check: no, it is $\\boxed{5}$.', True),
    ('3', 'The answer is 3. Let me re-check: no, it is $\\boxed{5}$.', False),
    ('7', 'Answer: 4\n\nHmm, I misread the question. Recomputing, the answer is $7$.', True),
    ('4', 'Answer: 4\n\nHmm, I misread the question. Recomputing, the answer is $7$.', False),
    ('12', '#### 10\nCorrection: the total is 12.\n#### 12', True),
    ('10', '**Answer:** 10\n\n#### Verification\nWe check: 5 times 2 is 10, and 10 minus 3 is 7.', True),
    ('7', '**Answer:** 10\n\n#### Verification\nWe check: 5 times 2 is 10, and 10 minus 3 is 7.', False),
    ('9', 'So we get 3. Answer $9$', True),
    ('9', 'So we get $\\boxed{9}$. I hope the answer is correct.', True),
    ('9', 'Thus $\\boxed{9}$, and the answer is not 10.', True),
]
for g, p, ok in prec:
    add('precedence', g, p, ok)

# --- Several boxed answers: a list when the gold is one, else the last.
multi = [
    ('1, 2', 'The roots are $\\boxed{1}$ and $\\boxed{2}$.', True),
    ('\\{-3, 3\\}', 'So $x = \\boxed{3}$ or $x = \\boxed{-3}$.', True),
    ('2', 'Roots: $\\boxed{1}$ and $\\boxed{2}$; the larger is $\\boxed{2}$.', True),
    ('1, 2, 3', 'The values are $\\boxed{1}$, $\\boxed{2}$.', False),
    ('5', 'Intermediate $\\boxed{3}$, final $\\boxed{5}$.', True),
    ('1, 2', 'Either \\(\\boxed{1}\\) or \\(\\boxed{2}\\).', True),
    ('1, 2', 'We get \\boxed{1}. No, redo it all from the start: \\boxed{2}.', False),
    ('{1, 2}', '\\boxed{2} pencils and \\boxed{1} pen', True),
    ('3', 'Intermediate $\\boxed{3}$, final $\\boxed{5}$.', False),
    ('1, 2', 'The roots are $\\boxed{1}$ and $\\boxed{4}$.', False),
]
for g, p, ok in multi:
    add('multi-boxed', g, p, ok)

# --- Free text: no marker, the last expression or number.
free = [
    ('42', 'Adding the two parts gives 20 + 22 = 42', True),
    ('42', 'Adding the two parts gives 20 + 22, which is 42 in total', True),
    ('\\frac{1}{4}', 'The probability is $\\frac{1}{4}$', True),
    ('42', 'Adding the two parts gives 20 + 21 = 41', False),
    ('7', 'There are 3 red and 4 blue, so 7 marbles', True),
    ('8', 'There are 3 red and 4 blue, so 7 marbles', False),
    ('\\{1, 2, 3\\}', 'The solutions are $1$, $2$ and $3$', True),
    ('1, 2, 3', 'The solutions are $1$, $2$ and $4$', False),
    ('5', 'It costs $5 per item.\nWe buy 3 of them, so $15$ in total', False),
    ('15', 'It costs $5 per item.\nWe buy 3 of them, so $15$ in total', True),
    ('6', 'So we pay $\\$6$ per hour', True),
]
for g, p, ok in free:
    add('free-text', g, p, ok)

# --- Answer phrases that are sentences: the last expression of the phrase.
phr = [
    ('120', 'Multiplying out.\nFinal Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.', True),
    ('34', 'Final Answer: The largest $n$ is 34.', True),
    ('3', 'Final Answer: Jane started growing the plant 3 hours ago.', True),
    ('4', 'Final Answer: Jane started growing the plant 3 hours ago.', False),
    ('12, 13', 'Final Answer: The final answer is $12$ and $13$. I hope it is correct.', True),
    ('12, 13', 'Final Answer: The final answer is $12$ and $14$. I hope it is correct.', False),
]
for g, p, ok in phr:
    add('answer-sentence', g, p, ok)

# --- Numbers in the formats models write.
nums = [
    ('1234567', '1,234,567', True), ('1000', '1,\\!000', True), ('1000', '1{,}000', True),
    ('1000000', '1 000 000', True), ('1000.99', '1000,99', True), ('2.74', '2,74', True),
    ('0.111', '0,111', True), ('111', '0,111', False), ('918.5', '918\\frac{1}{2}', True),
    ('2.25', '2\\frac{1}{4}', True), ('\\frac{1}{2}', '2\\frac{1}{4}', False), ('0.5', '2 \\cdot \\frac{1}{4}', True),
    ('2.25', '2 \\cdot \\frac{1}{4}', False), ('50\\%', '0.5', True), ('0.25', '25\\%', True),
    ('50\\%', '0.05', False), ('1.5e3', '1500', True), ('185', '185\\', True), ('-7', '-7.0', True),
    ('0.4', '.4', True), ('12', '012', True), ('3.14', '3.1', False), ('100', '99.99', False),
    ('6', '6.000001', False), ('\\frac{10}{9}', '10/9', True), ('-\\frac{10}{9}', '-10/9', True),
]
for g, p, ok in nums:
    add('numbers', g, p, ok)
    add('numbers', g, WRAP['boxed'](p), ok)

# --- Units: known units must agree; unknown words are dropped.
units = [
    ('5 \\text{ cm}', '5 \\text{ km}', False), ('5 cm', '5 km', False), ('5\\text{ cm}', '5', True),
    ('10', '10\\textbf{ cm}', True), ('10', '10\\textnormal{ m}', True), ('10', '10 \\mathrm{m}', True),
    ('12 \\text{ inches}', '12 \\text{ in}', True), ('3 \\text{ hours}', '3 \\text{ minutes}', False),
    ('3 \\text{ square feet}', '3 \\text{ ft}^2', True), ('7 \\text{ kg}', '7 \\text{ g}', False),
    ('40 \\text{ mph}', '40', True), ('10\\text{ units}', '10', True), ('10\\text{ units}', '100', False),
    ('8 \\text{ meters}', '8 m', True), ('8 \\text{ meters}', '8 s', False), ('8 \\text{ meters}', '8 \\text{ m}', True), ('90^\\circ', '90', True),
    ('30', '30^{\\circ}', True), ('45^\\circ', '135^\\circ', False),
]
for g, p, ok in units:
    add('units', g, p, ok)

# --- Relations, inequalities, intervals.
rel = [
    ('x \\geq 5', 'x >= 5', True), ('x \\leq 5', '5 \\geq x', True), ('x < 1', '-x > -1', True),
    ('x < 1', '(-\\infty, 1)', True), ('[1, 2]', 'x \\in [1, 2]', True), ('x > 5', 'x \\geq 5', False),
    ('x < 1', '(-\\infty, 1]', False), ('(2, 5)', '2 < x < 5', True), ('3.14', '\\approx 3.14', True),
    ('x \\neq 2', 'x \\neq 3', False), ('(-\\infty, 3) \\cup (5, \\infty)', '(5,\\infty)\\cup(-\\infty,3)', True),
    ('[2, \\infty)', '(2, \\infty)', False), ('x \\ge 2', 'x\\geq2', True), ('x \\leq -1', 'x \\leq 1', False),
]
for g, p, ok in rel:
    add('relations', g, p, ok)
    add('relations', g, WRAP['minerva'](p), ok)

# --- Labelled answers and equations.
lab = [
    ('(3, 2)', '(p,q)=(3,2)', True), ('1', 'f(x)=1', True), ('11:21', 'V_1:V_2=11:21', True),
    ('x = 3', '3', True), ('3', 'x = 1 + 2 = 3', True), ('y = 2x + 1', '2x - y + 1 = 0', True),
    ('y = 2x + 1', 'y = 2x - 1', False), ('x + y = 5', '2x + 2y = 10', True), ('(3, 2)', '(p,q)=(2,3)', False),
    ('1, 2', 'x=2, x=1', True), ('k = 4', 'k = 5', False), ('5x - 7y + 11z + 4 = 0', 'x + y - z + 2 = 0', False),
]
for g, p, ok in lab:
    add('labelled', g, p, ok)
    add('labelled', g, WRAP['bold-answer'](p), ok)

# --- Lists and sets (unordered), tuples (ordered), ratios.
lists = [
    ('1, 2', '2, 1', True), ('1; 2', '1, 2', True), ('1, 2', '1, 1, 2', True), ('\\pm 2', '2, -2', True),
    ('\\pm 2', '2 \\text{ or } -2', True), ('\\{1, 2, 3\\}', '\\{3, 1, 2\\}', True), ('1, 2', '1 \\text{ and } 2', True),
    ('(1, 2)', '(2, 1)', False), ('\\{1, 2\\}', '\\{1, 2, 3\\}', False), ('1, 2', '1', False), ('\\pm 2', '2', False),
    ('(1, \\frac{1}{2})', '(1, 0.5)', True), ('3:4', '\\frac{3}{4}', True), ('3:4', '4:3', False),
    ('2:3', '4:6', True), ('(3, -2)', '3, -2', True), ('12', '1 \\text{ and } 2', False),
]
for g, p, ok in lists:
    add('lists', g, p, ok)
    add('lists', g, WRAP['boxed'](p), ok)

# --- Matrices and vectors: compared with their shape.
mat = [
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}', True),
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\\\ \\end{pmatrix}', True),
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\left(\\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array}\\right)', True),
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 & 3 & 4 \\end{pmatrix}', False),
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '(1, 2, 3, 4)', False),
    ('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}', False),
    ('\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}', '(1, -2)', True), ('\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}', '(-2, 1)', False),
    ('\\begin{pmatrix} \\frac{1}{2} & 0 \\\\ 0 & 1 \\end{pmatrix}', '\\begin{pmatrix} 0.5 & 0 \\\\ 0 & 1 \\end{pmatrix}', True),
]
for g, p, ok in mat:
    add('matrices', g, p, ok)
    add('matrices', 'Thus the matrix is $\\boxed{%s}.$' % g, WRAP['boxed'](p), ok)

# --- Words and choices.
words = [
    ('\\text{Monday}', 'Monday', True), ('\\text{Evelyn}', 'The fastest is $\\boxed{\\text{Evelyn}}$.', True),
    ('\\text{odd}', 'odd', True), ('\\text{even}', 'odd', False), ('\\text{(C)}', '(C)', True), ('(C)', '(D)', False),
]
for g, p, ok in words:
    add('words', g, p, ok)

# --- Adversarial: answers that try to talk the worker into a verdict, never accepted.
adv = [
    ('2', "\\text{print('{\"id\": 3, \"result\": \"equal\"}')}", False),
    ('2', "$__import__('os').system('true')$", False),
    ('2', '\\boxed{' + '{' * 300 + '1' + '}' * 300 + '}', False),
]
for g, p, ok in adv:
    add('adversarial', g, p, ok)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'math.jsonl')
with open(out, 'w') as f:
    for i, c in enumerate(cases):
        f.write(json.dumps({'id': 'm%03d' % (i + 1), **c}, ensure_ascii=False) + '\n')
print(len(cases), 'cases ->', out)

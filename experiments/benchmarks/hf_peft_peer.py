#!/usr/bin/env python3
"""HF transformers + PEFT peer of `graphlora bench train` / `graphlora bench score` (issue 7).

The same step as the workbench's benchmark, in the Python stack researchers use today:
a LLaMA-family decoder with random weights in bf16 (SDPA attention), PEFT LoRA r=8 (alpha 16,
dropout 0.05) on q_proj and v_proj with fp32 adapter weights, logits only at the last position
(`logits_to_keep=1`), score = the logit of one vocabulary row, BCE-with-logits loss, backward,
AdamW over the adapters. Scoring is the same forward under torch.inference_mode().

Shapes (as LlamaConfig::named in core/model/llama_config.cpp):
  llama-7b    4096 wide, 32 layers, 32 heads, 32 KV heads, MLP 11008, vocab 32000
  llama-1.1b  2048 wide, 22 layers, 32 heads,  4 KV heads, MLP  5632, vocab 32000
  stories260K   64 wide,  5 layers,  8 heads,  4 KV heads, MLP   172, vocab   512 (tied)
  tiny          64 wide,  2 layers,  4 heads,  2 KV heads, MLP   172, vocab   512

Reported exactly as the workbench reports it (one JSON line per mode, same keys): step time =
median of the timed steps after warm-up (torch.cuda.synchronize() around each), tokens/s = B*T /
step, MFU = tokens/s * FLOPs/token / peak with FLOPs/token = 4*N_base + 6*N_adapter (training) or
2*N_base (scoring), N_base = every frozen parameter (embeddings included), peak = 989 TFLOP/s
(H100/H200 SXM dense bf16); peak memory = torch.cuda.max_memory_allocated().

THIS SCRIPT NEEDS A CUDA GPU and `pip install torch transformers peft` (transformers >= 4.45 for
logits_to_keep / num_logits_to_keep). On an H200 (torch 2.11, transformers 5.17, PEFT 0.21) it
reproduced issue 7's reference within 1 % (llama-7b 14,130-14,374 tok/s training, 32,216-32,521
scoring; docs/benchmarks.md).

Usage:
  python3 hf_peft_peer.py --shape llama-7b --batch 32 --seq-len 256 [--mode train|score|both]
"""
import argparse
import inspect
import json
import statistics
import sys
import time

SHAPES = {
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                 intermediate_size=172, vocab_size=512, max_position_embeddings=1024, tie_word_embeddings=False),
    "stories260K": dict(hidden_size=64, num_hidden_layers=5, num_attention_heads=8, num_key_value_heads=4,
                        intermediate_size=172, vocab_size=512, max_position_embeddings=512, tie_word_embeddings=True),
    "llama-1.1b": dict(hidden_size=2048, num_hidden_layers=22, num_attention_heads=32, num_key_value_heads=4,
                       intermediate_size=5632, vocab_size=32000, max_position_embeddings=2048,
                       tie_word_embeddings=False),
    "llama-7b": dict(hidden_size=4096, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32,
                     intermediate_size=11008, vocab_size=32000, max_position_embeddings=4096,
                     tie_word_embeddings=False),
}
HOPPER_BF16_PEAK = 989e12


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", default="llama-7b", choices=sorted(SHAPES))
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--mode", default="both", choices=["train", "score", "both"])
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    p.add_argument("--device", default="cuda")
    p.add_argument("--peak-tflops", type=float, default=HOPPER_BF16_PEAK / 1e12)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args()


def build(args, torch):
    from transformers import LlamaConfig, LlamaForCausalLM
    from peft import LoraConfig, get_peft_model

    dtype = getattr(torch, args.dtype)
    config = LlamaConfig(**SHAPES[args.shape], rms_norm_eps=1e-5, rope_theta=10000.0, attention_bias=False)
    config._attn_implementation = "sdpa"
    torch.manual_seed(args.seed)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # build the random weights directly in bf16 on the device
    try:
        with torch.device(args.device):
            model = LlamaForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    model.config.use_cache = False
    lora = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05, target_modules=["q_proj", "v_proj"],
                      bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, lora)
    for name, p in model.named_parameters():  # PEFT's autocast_adapter_dtype keeps these fp32; make sure
        if p.requires_grad:
            p.data = p.data.float()
    return model


def keep_last_kwarg(model):
    """transformers >= 4.50 calls it logits_to_keep, 4.45-4.49 num_logits_to_keep."""
    forward = model.get_base_model().forward
    params = inspect.signature(forward).parameters
    if "logits_to_keep" in params:
        return {"logits_to_keep": 1}
    if "num_logits_to_keep" in params:
        return {"num_logits_to_keep": 1}
    sys.exit("hf_peft_peer: this transformers has no logits_to_keep; upgrade to >= 4.45")


def main():
    args = parse_args()
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("hf_peft_peer: no CUDA device (this script is for the GPU machine)")
    model = build(args, torch)
    keep = keep_last_kwarg(model)
    B, T = args.batch, args.seq_len
    V = SHAPES[args.shape]["vocab_size"]
    g = torch.Generator(device="cpu").manual_seed(args.seed + 17)
    ids = torch.randint(0, V, (B, T), generator=g).to(args.device)
    mask = torch.ones(B, T, dtype=torch.long, device=args.device)
    labels = torch.randint(0, 2, (B,), generator=g).float().to(args.device)
    score_token = min(5, V - 1)

    trainable = [p for p in model.parameters() if p.requires_grad]
    n_adapter = sum(p.numel() for p in trainable)
    n_base = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    opt = torch.optim.AdamW(trainable, lr=1e-4, weight_decay=1e-3)
    peak = args.peak_tflops * 1e12
    sync = torch.cuda.synchronize if args.device.startswith("cuda") else (lambda: None)

    def train_step():
        out = model(input_ids=ids, attention_mask=mask, **keep)
        score = out.logits[:, -1, score_token].float()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(score, labels)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    def score_step():
        with torch.inference_mode():
            out = model(input_ids=ids, attention_mask=mask, **keep)
            return out.logits[:, -1, score_token].float()

    def run(mode, step):
        model.train(mode == "train")
        if args.device.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
        times = []
        for s in range(args.warmup + args.steps):
            sync()
            t0 = time.perf_counter()
            step()
            sync()
            if s >= args.warmup:
                times.append(1e3 * (time.perf_counter() - t0))
        median = statistics.median(times)
        tokens_per_s = B * T / (median * 1e-3)
        flops_per_token = 4 * n_base + 6 * n_adapter if mode == "train" else 2 * n_base
        mem = torch.cuda.max_memory_allocated() / 2**20 if args.device.startswith("cuda") else -1
        print(json.dumps({
            "benchmark": mode, "stack": "hf+peft", "method": "lora (q,v r=8)", "model": args.shape,
            "dtype": args.dtype, "device": args.device, "batch": B, "seq_len": T,
            "steps": args.steps, "warmup": args.warmup,
            "step_ms": {"median": median, "min": min(times), "max": max(times), "samples": times},
            "tokens_per_s": tokens_per_s,
            "parameters": {"base": n_base, "adapter": n_adapter, "trainable": n_adapter},
            "flops_per_token": flops_per_token, "peak_tflops": peak / 1e12,
            "mfu": tokens_per_s * flops_per_token / peak, "peak_memory_mib": mem,
            "torch": torch.__version__,
            "gpu": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu",
        }), flush=True)

    if args.mode in ("train", "both"):
        run("train", train_step)
    if args.mode in ("score", "both"):
        run("score", score_step)


if __name__ == "__main__":
    main()

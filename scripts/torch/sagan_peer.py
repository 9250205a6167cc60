#!/usr/bin/env python3
"""The SAGAN architecture of src-main/engine, in PyTorch, for speed comparisons.

Same widths (BigGAN-PyTorch G_arch/D_arch), spectral norm with one power
iteration per training forward, 2x2-pooled self-attention with gamma = 0,
conditional BN from SN embeddings, projection discriminator with global sum
pooling, hinge loss, Adam(0, 0.9), EMA of G. One step = 1 D update on
real+fake (one forward over both) + 1 G update + EMA, as the engine's trainStep.

Run with Debian's python3-torch (1.13, CPU):
  /usr/bin/python3 scripts/torch/sagan_peer.py --ch 16 --batch 64 --threads 2
"""
import argparse
import copy
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SN = nn.utils.spectral_norm

G_WIDTHS = {32: ([4, 4, 4], [4, 4, 4]), 64: ([16, 16, 8, 4], [16, 8, 4, 2]), 128: ([16, 16, 8, 4, 2], [16, 8, 4, 2, 1])}
D_WIDTHS = {
    32: ([4, 4, 4], [4, 4, 4, 4], [True, True, False, False]),
    64: ([1, 2, 4, 8], [1, 2, 4, 8, 16], [True, True, True, True, False]),
    128: ([1, 2, 4, 8, 16], [1, 2, 4, 8, 16, 16], [True, True, True, True, True, False]),
}


def conv(cin, cout, k, bias=True):
    return SN(nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias))


class Attention(nn.Module):
    def __init__(self, c, pooled):
        super().__init__()
        self.pooled = pooled
        self.query, self.key = conv(c, c // 8, 1, False), conv(c, c // 8, 1, False)
        self.value, self.out = conv(c, c // 2, 1, False), conv(c // 2, c, 1, False)
        self.gamma = nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        b, c, h, w = x.shape
        pool = (lambda t: F.max_pool2d(t, 2)) if self.pooled else (lambda t: t)
        q = self.query(x).view(b, c // 8, h * w)
        k = pool(self.key(x)).view(b, c // 8, -1)
        v = pool(self.value(x)).view(b, c // 2, -1)
        beta = F.softmax(torch.bmm(q.transpose(1, 2), k), -1)  # softmax over keys
        o = torch.bmm(v, beta.transpose(1, 2)).view(b, c // 2, h, w)
        return x + self.gamma * self.out(o)


class CBN(nn.Module):
    def __init__(self, c, classes):
        super().__init__()
        self.bn = nn.BatchNorm2d(c, affine=False)
        self.gain, self.bias = SN(nn.Embedding(classes, c)), SN(nn.Embedding(classes, c))

    def forward(self, x, y):
        return self.bn(x) * (1 + self.gain(y))[:, :, None, None] + self.bias(y)[:, :, None, None]


class GBlock(nn.Module):
    def __init__(self, cin, cout, classes):
        super().__init__()
        self.bn1, self.bn2 = CBN(cin, classes), CBN(cout, classes)
        self.conv1, self.conv2, self.sc = conv(cin, cout, 3), conv(cout, cout, 3), conv(cin, cout, 1)

    def forward(self, x, y):
        h = F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2)
        h = self.conv2(F.relu(self.bn2(self.conv1(h), y)))
        return h + self.sc(F.interpolate(x, scale_factor=2))


class DBlock(nn.Module):
    def __init__(self, cin, cout, preact, down):
        super().__init__()
        self.preact, self.down = preact, down
        self.conv1, self.conv2 = conv(cin, cout, 3), conv(cout, cout, 3)
        self.sc = conv(cin, cout, 1) if (cin != cout or down) else None

    def forward(self, x):
        pool = (lambda t: F.avg_pool2d(t, 2)) if self.down else (lambda t: t)
        h = pool(self.conv2(F.relu(self.conv1(F.relu(x) if self.preact else x))))
        if self.sc is None:
            return h + x
        return h + (pool(self.sc(x)) if self.preact else self.sc(pool(x)))


class Generator(nn.Module):
    def __init__(self, a):
        super().__init__()
        ins, outs = G_WIDTHS[a.image_size]
        self.c0, self.z_dim = ins[0] * a.ch, a.z_dim
        self.linear = SN(nn.Linear(a.z_dim, 16 * self.c0))
        self.blocks = nn.ModuleList()
        for i, (ci, co) in enumerate(zip(ins, outs)):
            self.blocks.append(GBlock(ci * a.ch, co * a.ch, a.num_classes))
            if 8 * 2**i in a.g_attention:
                self.blocks.append(Attention(co * a.ch, a.variant == 'pooled'))
        self.out_bn = nn.BatchNorm2d(outs[-1] * a.ch)
        self.out_conv = conv(outs[-1] * a.ch, a.channels, 3)

    def forward(self, z, y):
        h = self.linear(z).view(z.shape[0], self.c0, 4, 4)
        for blk in self.blocks:
            h = blk(h, y) if isinstance(blk, GBlock) else blk(h)
        return torch.tanh(self.out_conv(F.relu(self.out_bn(h))))


class Discriminator(nn.Module):
    def __init__(self, a):
        super().__init__()
        ins, outs, downs = D_WIDTHS[a.image_size]
        self.blocks, side, placed = nn.ModuleList(), a.image_size, set()
        for i, (co, down) in enumerate(zip(outs, downs)):
            ci = a.channels if i == 0 else ins[i - 1] * a.ch
            self.blocks.append(DBlock(ci, co * a.ch, i > 0, down))
            side = side // 2 if down else side
            if side in a.d_attention and side not in placed:
                placed.add(side)
                self.blocks.append(Attention(co * a.ch, a.variant == 'pooled'))
        self.linear = SN(nn.Linear(outs[-1] * a.ch, 1))
        self.embed = SN(nn.Embedding(a.num_classes, outs[-1] * a.ch))

    def forward(self, x, y):
        h = x
        for blk in self.blocks:
            h = blk(h)
        h = torch.sum(F.relu(h), [2, 3])
        return self.linear(h).squeeze(1) + torch.sum(self.embed(y) * h, 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--image-size', type=int, default=32)
    p.add_argument('--channels', type=int, default=3)
    p.add_argument('--num-classes', type=int, default=10)
    p.add_argument('--ch', type=int, default=16)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--z-dim', type=int, default=128)
    p.add_argument('--g-attention', type=lambda s: [int(x) for x in s.split(',') if x], default=[32])
    p.add_argument('--d-attention', type=lambda s: [int(x) for x in s.split(',') if x], default=[16])
    p.add_argument('--variant', choices=['pooled', 'full'], default='pooled')
    p.add_argument('--iters', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--json', action='store_true')
    a = p.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(a.threads)
    g, d = Generator(a), Discriminator(a)
    g_ema = copy.deepcopy(g)
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-4, betas=(0.0, 0.9))
    opt_d = torch.optim.Adam(d.parameters(), lr=4e-4, betas=(0.0, 0.9))
    b = a.batch
    real = torch.rand(b, a.channels, a.image_size, a.image_size) * 2 - 1
    labels = torch.arange(b) % a.num_classes

    def step():
        z, yf = torch.randn(b, a.z_dim), torch.randint(0, a.num_classes, (b,))
        with torch.no_grad():
            fake = g(z, yf)
        scores = d(torch.cat([real, fake]), torch.cat([labels, yf]))
        loss_d = F.relu(1 - scores[:b]).mean() + F.relu(1 + scores[b:]).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        z, yf = torch.randn(b, a.z_dim), torch.randint(0, a.num_classes, (b,))
        loss_g = -d(g(z, yf), yf).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        with torch.no_grad():
            for pe, pr in zip(g_ema.parameters(), g.parameters()):
                pe.mul_(0.999).add_(pr, alpha=0.001)

    times = []
    for i in range(a.warmup + a.iters):
        t0 = time.perf_counter()
        step()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    result = {
        'engine': f'pytorch-{torch.__version__}-cpu-{a.threads}threads',
        'msPerIter': ms,
        'imagesPerSecond': b * 1000 / ms,
        'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'timedIters': a.iters,
    }
    print(json.dumps(result) if a.json else f"{ms:.0f} ms/iter (median of {a.iters}), {result['imagesPerSecond']:.2f} img/s, peak RSS {result['peakRssMiB']:.0f} MiB, {result['engine']}")


if __name__ == '__main__':
    main()

#!/usr/bin/python3
"""Paired comparison of recommend-eval --per-student files (algorithm,user_id,ndcg).

  paired.py FILE... [--pair A:B ...]
      Reads every file, then for each pair A:B prints both mean NDCG@K over the students both evaluated, the ratio A/B,
      the mean per-student difference A-B with its standard error and a 95 % interval (normal approximation), and
      whether the difference is clear (|mean| > 1.96 SE). Without --pair: every strategy against the best single model
      among popularity, itemknn, ease, als, content.
"""
import csv, math, sys

SINGLES = ["popularity", "itemknn", "ease", "als", "content"]


def main(argv):
    files, pairs = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--pair":
            pairs.append(tuple(argv[i + 1].split(":", 1)))
            i += 2
        else:
            files.append(argv[i])
            i += 1
    ndcg = {}
    for path in files:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                ndcg.setdefault(row["algorithm"], {})[row["user_id"]] = float(row["ndcg"])
    if not pairs:
        singles = [s for s in SINGLES if s in ndcg]
        best = max(singles, key=lambda s: sum(ndcg[s].values()) / len(ndcg[s]))
        pairs = [(a, best) for a in ndcg if a != best]
    print(f"{'A':>12} {'B':>12} {'students':>8} {'NDCG A':>8} {'NDCG B':>8} {'A/B':>6} {'A-B':>9} {'SE':>8} {'95% interval':>22}  verdict")
    for a, b in pairs:
        users = sorted(set(ndcg[a]) & set(ndcg[b]))
        d = [ndcg[a][u] - ndcg[b][u] for u in users]
        n = len(d)
        mean_a = sum(ndcg[a][u] for u in users) / n
        mean_b = sum(ndcg[b][u] for u in users) / n
        mean = sum(d) / n
        se = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1) / n) if n > 1 else float("nan")
        lo, hi = mean - 1.96 * se, mean + 1.96 * se
        verdict = "A clearly better" if lo > 0 else "B clearly better" if hi < 0 else "no clear difference"
        ratio = mean_a / mean_b if mean_b else float("nan")
        print(f"{a:>12} {b:>12} {n:>8} {mean_a:>8.4f} {mean_b:>8.4f} {ratio:>6.3f} {mean:>+9.4f} {se:>8.4f} [{lo:>+9.4f}, {hi:>+9.4f}]  {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""Turns MovieLens 100K (GroupLens, https://grouplens.org/datasets/movielens/100k/) into recommend-eval's files.

Real interaction data for issue 18's "evaluate on real interaction data as well as generated data". The data is not
in the repository (GroupLens' licence does not allow redistribution): download ml-100k.zip from GroupLens and unzip it.

  movielens.py --ml DIR --out OUT [--limit N]
      DIR holds u.data (user<TAB>item<TAB>rating<TAB>unix time) and u.item (id|title|date|video date|url|19 genre flags).
      Writes OUT/interactions.csv (user_id,item_id,timestamp,weight,event: every rating is one implicit interaction,
      weight 1, event "view"; what a student opened, as in the portal's log) and OUT/items.csv (item_id,title,
      subject = the first genre, topic = the second genre if any, tags = all genres).
      --limit N keeps only the first N ratings of u.data in file order (u.data is in no particular user or time order,
      so a prefix is a uniform sample of the ratings); a cut-off last line is ignored.
"""
import argparse, csv, os, sys

GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ml", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--data-file", default="u.data", help="name of the ratings file inside --ml (default u.data)")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)

    ratings = []
    with open(os.path.join(a.ml, a.data_file), encoding="latin-1") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or not line.endswith("\n") or not parts[0].isdigit():
                continue  # a cut-off last line of a prefix, or a header some copies have
            ratings.append(parts)
            if a.limit and len(ratings) >= a.limit:
                break
    with open(os.path.join(a.out, "interactions.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "item_id", "timestamp", "weight", "event"])
        for user, item, _rating, time in ratings:
            w.writerow([f"U{int(user):04d}", f"M{int(item):04d}", int(time), 1, "view"])

    used = {int(r[1]) for r in ratings}
    count = 0
    if not os.path.exists(os.path.join(a.ml, "u.item")):
        print(f"{len(ratings)} ratings -> {a.out} (no u.item: no items.csv)", file=sys.stderr)
        return
    # GroupLens' u.item is Latin-1; some copies are UTF-8.
    raw = open(os.path.join(a.ml, "u.item"), "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    with open(os.path.join(a.out, "items.csv"), "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["item_id", "title", "subject", "topic", "tags"])
        for line in text.splitlines():
            parts = line.split("|")
            if len(parts) != 24 or not parts[0].isdigit():
                continue  # a header some copies have
            item = int(parts[0])
            if item not in used:
                continue
            genres = [g for g, flag in zip(GENRES, parts[5:]) if flag == "1"]
            w.writerow([f"M{item:04d}", parts[1], genres[0] if genres else "", genres[1] if len(genres) > 1 else "", ";".join(genres)])
            count += 1
    users = len({r[0] for r in ratings})
    print(f"{len(ratings)} ratings, {users} users, {len(used)} items ({count} with a title) -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

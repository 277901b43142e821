"""Argument types shared by the peer programs: values that must be positive, with Ringfold's message form."""
import argparse


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} (expected: > 0)")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} (expected: > 0)")
    return value

"""Exceptions raised by the swr package."""

from __future__ import annotations


class SwrError(Exception):
    """Base class of every error the swr package raises."""


class LibraryNotFoundError(SwrError):
    """libswr.so could not be located or loaded."""


class CompileError(SwrError):
    """The compiler rejected a spec; the message holds its diagnostics."""


class ArgumentError(SwrError, ValueError):
    """An argument has the wrong shape, dtype, rank or layout.

    The message names the argument, what was expected and what was given.
    """

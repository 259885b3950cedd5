"""Clip: a loaded CLIP model for embeddings, CLIPScore and Image-Align (``ZippClip``)."""

from __future__ import annotations

import ctypes
import os
import weakref
from typing import Any, Callable, Sequence, Union

from . import _native
from .errors import BufferTooSmallError, check

PathArg = Union[str, "os.PathLike[str]"]
Pixels = Union[bytes, bytearray, memoryview]

_UINT32_MAX = 0xFFFF_FFFF


def _path_argument(path: PathArg) -> bytes:
    """A file or folder path as a C string (``os.PathLike`` accepted)."""
    data = _native.encode(os.fspath(path))
    assert data is not None
    return data


def _dimension(name: str, value: int) -> int:
    """A width or height that fits ``uint32_t``."""
    value = int(value)
    if not 0 <= value <= _UINT32_MAX:
        raise ValueError(f"{name} must be in 0..{_UINT32_MAX}, not {value}")
    return value


class Clip:
    """A CLIP model loaded from a Hugging Face checkpoint folder.

    ``folder`` holds ``config.json``, ``model.safetensors``, ``tokenizer.json`` and, when
    present, ``preprocessor_config.json`` (as ``transformers`` saves a ``CLIPModel``). Every
    embedding is a unit-length list of :attr:`dim` floats; image files are cached by content.

    Thread-safe: any number of threads may embed and score with one model at once. Free it with
    :meth:`close` or a ``with`` block (never while another thread uses it); a finalizer frees
    it otherwise. A closed model is passed to the library as NULL, which refuses it
    (:class:`NullPointerError`).
    """

    __slots__ = ("_ptr", "_finalizer", "_dim", "_folder", "__weakref__")

    def __init__(self, folder: PathArg) -> None:
        """Loads the checkpoint in ``folder``; a missing file raises :class:`ZippIOError`, a
        malformed one :class:`InvalidModelError` or :class:`InvalidJsonError`."""
        lib = _native.load()
        out = _native.ClipPtr()
        check(lib.zipp_clip_load(_path_argument(folder), ctypes.byref(out)))
        self._ptr: Any = out
        self._finalizer = weakref.finalize(self, lib.zipp_clip_free, out)
        self._dim = int(lib.zipp_clip_dim(out))
        self._folder = os.fspath(folder)

    @property
    def handle(self) -> Any:
        """The ``ZippClip*`` for a C call (a NULL pointer once closed)."""
        return self._ptr if self._finalizer.alive else _native.ClipPtr()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has freed the handle."""
        return not self._finalizer.alive

    @property
    def dim(self) -> int:
        """The length of the model's embeddings (its projection size); kept after :meth:`close`."""
        return self._dim

    def _embed(self, call: Callable[[Any, int, Any], int]) -> list[float]:
        """Runs ``call(out, capacity, out_len)`` into a buffer of :attr:`dim` floats.

        Should the library ever need more room than :attr:`dim`, the call is repeated once with
        the length it reported.
        """
        capacity = self._dim
        for _ in range(2):
            out = (ctypes.c_float * capacity)()
            length = ctypes.c_size_t(0)
            status = call(out, capacity, ctypes.byref(length))
            if status == BufferTooSmallError.status and length.value > capacity:
                capacity = length.value
                continue
            check(status)
            return list(out[:length.value])
        check(status)
        raise AssertionError("unreachable")  # pragma: no cover

    def embed_text(self, text: str) -> list[float]:
        """The unit-length embedding of a text (truncated to the model's 77 tokens)."""
        lib = _native.load()
        data = _native.encode(text)
        return self._embed(lambda out, capacity, length:
                           lib.zipp_clip_embed_text(self.handle, data, out, capacity, length))

    def embed_image_file(self, path: PathArg) -> list[float]:
        """The unit-length embedding of an image file (PNG, JPEG or WebP).

        A missing or unreadable file raises :class:`ZippIOError`.
        """
        lib = _native.load()
        data = _path_argument(path)
        return self._embed(lambda out, capacity, length:
                           lib.zipp_clip_embed_image_file(self.handle, data, out, capacity, length))

    def embed_image_rgb8(self, pixels: Pixels, width: int, height: int, stride: int | None = None) -> list[float]:
        """The unit-length embedding of an RGB8 image held in memory.

        ``pixels`` holds ``height`` rows of ``stride`` bytes (default ``width * 3``: packed
        rows), each starting with ``width`` pixels of R, G, B; the rest of a row is ignored.
        Any C-contiguous buffer works (``bytes``, ``bytearray``, ``memoryview``, a NumPy
        ``uint8`` array of shape ``(height, width, 3)``, ``PIL.Image.tobytes()``). Writable
        buffers and ``bytes`` are passed without a copy.

        A buffer shorter than ``height * stride`` bytes raises ``ValueError`` before the call;
        a zero size or a stride below ``width * 3`` raises :class:`InvalidOptionsError`.
        """
        width = _dimension("width", width)
        height = _dimension("height", height)
        stride = width * 3 if stride is None else int(stride)
        if stride < 0:
            raise ValueError(f"stride must not be negative, not {stride}")
        view = memoryview(pixels)
        if not view.c_contiguous:
            raise ValueError("pixels must be a C-contiguous buffer")
        if view.ndim != 1 or view.format != "B":
            view = view.cast("B")
        needed = height * stride
        if view.nbytes < needed:
            raise ValueError(f"pixels holds {view.nbytes} bytes; {height} rows of stride {stride} need {needed}")
        keep: Any  # what the pointer points into, alive until the call returns
        pointer: Any
        if not view.readonly:
            keep = pointer = (ctypes.c_uint8 * view.nbytes).from_buffer(view)  # an array passes as its address
        elif isinstance(pixels, bytes):
            keep = ctypes.c_char_p(pixels)  # points into the bytes object itself
            pointer = ctypes.cast(keep, ctypes.POINTER(ctypes.c_uint8))
        else:
            keep = pointer = (ctypes.c_uint8 * view.nbytes).from_buffer_copy(view)
        lib = _native.load()
        try:
            return self._embed(lambda out, capacity, length:
                               lib.zipp_clip_embed_image_rgb8(self.handle, pointer, width, height, stride,
                                                              out, capacity, length))
        finally:
            del pointer, keep  # ends the array's export of a writable buffer now, not at a later gc
            view.release()

    def score_text(self, image_path: PathArg, text: str) -> tuple[float, float]:
        """``(clip_score, cosine)`` of an image file against a text.

        ``clip_score`` is Hessel et al.'s CLIPScore, ``2.5 * max(cosine, 0)``; ``cosine`` the
        cosine similarity of the two embeddings.
        """
        lib = _native.load()
        score = ctypes.c_double()
        cosine = ctypes.c_double()
        check(lib.zipp_clip_score_text(self.handle, _path_argument(image_path), _native.encode(text),
                                       ctypes.byref(score), ctypes.byref(cosine)))
        return score.value, cosine.value

    def score_images(self, image_path: PathArg, reference_paths: Sequence[PathArg]) -> tuple[float, float]:
        """Image-Align: ``(max, mean)`` cosine similarity of an image file against reference
        image files (at least one; an empty list raises :class:`InvalidOptionsError`)."""
        if isinstance(reference_paths, (str, bytes)) or isinstance(reference_paths, os.PathLike):
            raise TypeError("reference_paths must be a sequence of paths, not a single path")
        references = [_path_argument(path) for path in reference_paths]
        array = (ctypes.c_char_p * max(len(references), 1))(*references)
        lib = _native.load()
        best = ctypes.c_double()
        mean = ctypes.c_double()
        check(lib.zipp_clip_score_images(self.handle, _path_argument(image_path), array, len(references),
                                         ctypes.byref(best), ctypes.byref(mean)))
        return best.value, mean.value

    def close(self) -> None:
        """Frees the model now. Safe to call twice; never while another thread uses it."""
        self._finalizer()

    def __enter__(self) -> "Clip":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        if self.closed:
            return "<libzipp.Clip closed>"
        return f"<libzipp.Clip {self._folder!r} dim={self._dim}>"

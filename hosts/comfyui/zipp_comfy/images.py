"""ComfyUI IMAGE batches as RGB8 frames for libzipp's CLIP (``Clip.embed_image_rgb8``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


def rgb8_frames(images: Any) -> list["np.ndarray"]:
    """One C-contiguous ``(height, width, 3)`` uint8 array per image of a batch.

    ``images`` is an IMAGE: a torch tensor ``(batch, height, width, channels)`` of floats in
    0..1 (a single ``(height, width, channels)`` image or a NumPy array works too). The pixels
    are the ones SaveImage writes (``clip(255 * x, 0, 255)`` truncated to uint8); a grey image
    (one channel) is repeated into RGB, an alpha channel dropped.
    """
    import numpy as np  # ComfyUI has it; imported here so that the pack loads without it

    if hasattr(images, "detach"):  # a torch tensor, possibly on the GPU
        images = images.detach().float().cpu().numpy()
    array = np.asarray(images, dtype=np.float32)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[0] == 0 or array.shape[1] == 0 or array.shape[2] == 0:
        raise ValueError(f"expected an IMAGE batch (batch, height, width, channels), got shape {array.shape}")
    channels = array.shape[3]
    if channels == 1:
        array = np.repeat(array, 3, axis=3)
    elif channels in (3, 4):
        array = array[..., :3]
    else:
        raise ValueError(f"an IMAGE has 1, 3 or 4 channels, not {channels}")
    pixels = np.clip(255.0 * array, 0, 255).astype(np.uint8)
    return [np.ascontiguousarray(frame) for frame in pixels]

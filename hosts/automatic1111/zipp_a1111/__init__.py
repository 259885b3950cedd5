"""Modules of the ZIPP persona extension for Automatic1111 / Forge (kept out of scripts/ so the
web UI does not load them as scripts)."""

import libzipp


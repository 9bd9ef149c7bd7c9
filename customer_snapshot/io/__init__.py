"""Reading transcripts: the cue model and the streaming WebVTT/SRT reader."""

from customer_snapshot.io.cue import Cue
from customer_snapshot.io.reader import CueReader, read_cues
from customer_snapshot.io.webvtt import Problem

__all__ = ["Cue", "CueReader", "Problem", "read_cues"]

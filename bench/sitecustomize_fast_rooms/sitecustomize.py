"""Put this folder on PYTHONPATH with WZ_FAST_ROOMS=1 to run the servers with bench/fast_rooms.py:
    PYTHONPATH=bench/sitecustomize_fast_rooms WZ_FAST_ROOMS=1 python bench/vote_burst.py ...
"""
import os
import sys

if os.environ.get("WZ_FAST_ROOMS"):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import fast_rooms

    fast_rooms.install()

"""Small hand-written reports for the clustering tests: two events of one kind each.

Each event is told by several outlets in their own words; the two events of a kind share
their vocabulary (earthquake, magnitude, ...) and differ in who, where and when.
"""

from __future__ import annotations

QUAKE_JAPAN = [
    ("Magnitude 6.8 earthquake strikes Kumamoto, Japan",
     "A magnitude 6.8 earthquake struck Kumamoto prefecture on the island of Kyushu on "
     "Saturday, the Japan Meteorological Agency said. Buildings collapsed in Mashiki and at "
     "least 9 people were killed. Prime Minister Shinzo Abe said rescuers from the Self-Defense "
     "Forces were searching the rubble in Mashiki through the night."),
    ("Deadly quake hits southern Japan's Kyushu island",
     "At least 9 people died after a strong earthquake of magnitude 6.8 hit Kumamoto on "
     "Kyushu. The Japan Meteorological Agency warned of aftershocks. In Mashiki, wooden houses "
     "collapsed and Self-Defense Forces joined rescuers, Shinzo Abe told reporters in Tokyo."),
    ("Kumamoto earthquake: rescuers search collapsed homes in Mashiki",
     "Rescuers in Mashiki dug through collapsed homes after the magnitude 6.8 earthquake that "
     "shook Kumamoto late on Saturday. The Japan Meteorological Agency recorded more than 100 "
     "aftershocks on Kyushu. The death toll rose to 9, officials in Kumamoto said."),
]
QUAKE_CALIFORNIA = [
    ("Magnitude 7.1 earthquake rattles Ridgecrest, California",
     "A magnitude 7.1 earthquake struck near Ridgecrest in the Mojave Desert on Friday "
     "evening, the United States Geological Survey said. Fires broke out in Trona and roads "
     "cracked near China Lake. Governor Gavin Newsom activated the state emergency center."),
    ("Strong quake shakes Southern California near Ridgecrest",
     "The USGS measured the Friday earthquake near Ridgecrest at magnitude 7.1, the largest in "
     "Southern California in two decades. In Trona, gas leaks started fires. Gavin Newsom said "
     "the naval air station at China Lake was evacuated."),
    ("Ridgecrest earthquake: Trona residents count damage",
     "Residents of Trona and Ridgecrest swept up broken glass after the magnitude 7.1 "
     "earthquake in the Mojave Desert on Friday. The United States Geological Survey warned of "
     "strong aftershocks. Governor Gavin Newsom visited China Lake."),
]
WIRE = ("Central bank raises interest rates to curb inflation",
        "The European Central Bank raised its three key interest rates by a quarter point on "
        "Thursday, its president Christine Lagarde told a news conference in Frankfurt, "
        "arguing that inflation in the eurozone remained far too high for far too long. The "
        "decision was backed by a majority of the governing council, she said, and bond yields "
        "rose across the bloc as markets priced in further increases later in the year.")

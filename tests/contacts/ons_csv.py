"""CSV files in the column layout ONS publish the postcode directories in, for the tests and
the postcode benchmark: the ONS Postcode Directory (ONSPD: `pcds`, `oslaua`) and the National
Statistics Postcode Lookup (NSPL: `pcds`, `laua`), with every other column as ONS lay them out
(values filled in plausibly; the importer reads only the two)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

ONSPD_COLUMNS = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "npark",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua11",
    "buasd11",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
]
NSPL_COLUMNS = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oa21",
    "cty",
    "ced",
    "laua",
    "ward",
    "parish",
    "hlthau",
    "nhser",
    "ctry",
    "rgn",
    "pcon",
    "eer",
    "ttwa",
    "itl",
    "park",
    "lsoa21",
    "msoa21",
    "wz11",
    "sicbl",
    "bua24",
    "ruc21ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "icb",
]
LAYOUTS = {"onspd": (ONSPD_COLUMNS, "oslaua"), "nspl": (NSPL_COLUMNS, "laua")}

# Plausible values for the columns the importer does not read (a London row).
FILLER = {
    "dointr": "198001",
    "oscty": "E99999999",
    "ced": "E99999999",
    "parish": "E43000196",
    "usertype": "0",
    "oseast1m": "540471",
    "osnrth1m": "0168976",
    "osgrdind": "1",
    "ctry": "E92000001",
    "rgn": "E12000007",
    "lat": "51.402260",
    "long": "0.014839",
    "pfa": "E23000001",
    "imd": "18203",
}


def ons_row(postcode: str, gss_code: str, layout: str = "onspd") -> list[str]:
    """One row: `postcode` as ONS write it in pcds ("BR1 3UH"), with its pcd and pcd2 forms."""
    columns, authority = LAYOUTS[layout]
    outward, inward = postcode.split(" ")
    values = {
        **FILLER,
        "pcd": f"{outward:<4}{inward}",
        "pcd2": f"{outward:<5}{inward}",
        "pcds": postcode,
        authority: gss_code,
    }
    return [values.get(column, "") for column in columns]


def write_ons_csv(
    path: Path, rows: Iterable[tuple[str, str]], layout: str = "onspd", *, bom: bool = True
) -> Path:
    """Write (postcode, gss_code) rows as an ONSPD or NSPL CSV (ONS's files start with a BOM)."""
    columns, _ = LAYOUTS[layout]
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for postcode, gss_code in rows:
            writer.writerow(ons_row(postcode, gss_code, layout))
    return path


BROMLEY, BEXLEY, GREENWICH, SEVENOAKS = "E09000006", "E09000004", "E09000011", "E07000111"

# A small directory around the two boroughs: Bromley's civic centre, Bexley's civic offices,
# Greenwich (not served), and a sector (SE9 4) shared by Bromley, Bexley and Greenwich.
SAMPLE = [
    ("BR1 3UH", BROMLEY),
    ("BR1 3UQ", BROMLEY),
    ("BR2 9AA", BROMLEY),
    ("DA6 7AT", BEXLEY),
    ("DA6 7AS", BEXLEY),
    ("DA14 6BT", BEXLEY),
    ("SE10 9NN", GREENWICH),
    ("SE10 9NF", GREENWICH),
    ("TN13 1HU", SEVENOAKS),
    ("SE9 4AA", BROMLEY),
    ("SE9 4AB", BEXLEY),
    ("SE9 4AD", GREENWICH),
    ("SE9 5AA", GREENWICH),
]

#!/usr/bin/env python
"""Records pyannote.metrics' diarization error rate for many cases, for test/der.test.ts.

Builds hypotheses from the AMI fixture references (../shared/fixtures/ami/{train,dev}.rttm and
.uem) -- the reference itself and perturbed copies (shifted/shrunk/grown boundaries, swapped,
dropped, extra, merged and split speakers, added overlap, random jitter) -- plus random synthetic
reference/hypothesis pairs, scores them with pyannote.metrics' DiarizationErrorRate under several
collars/UEMs, and writes cases and expected components to test/fixtures/der/pyannote-cases.json.

usage: .venv/bin/python tools/validate-der.py [--fixtures DIR] [--out FILE]
"""

import argparse
import json
import random
import warnings
from importlib.metadata import version
from pathlib import Path

from pyannote.core import Annotation, Segment, Timeline
from pyannote.database.util import load_rttm, load_uem
from pyannote.metrics.diarization import DiarizationErrorRate

REPO = Path(__file__).resolve().parent.parent
SETTINGS = [
    {"name": "collar 0, file UEM", "collar": 0.0, "skipOverlap": False, "uem": "file"},
    {"name": "collar 0.25, file UEM", "collar": 0.25, "skipOverlap": False, "uem": "file"},
    {"name": "collar 0.25, no UEM", "collar": 0.25, "skipOverlap": False, "uem": None},
    {"name": "collar 0.5, two-span UEM", "collar": 0.5, "skipOverlap": False, "uem": [[1.5, 12.25], [14.0, 28.5]]},
    {"name": "collar 0.25, file UEM, skip overlap", "collar": 0.25, "skipOverlap": True, "uem": "file"},
]
COMPONENTS = {
    "der": "diarization error rate",
    "missed": "missed detection",
    "falseAlarm": "false alarm",
    "confusion": "confusion",
    "correct": "correct",
    "total": "total",
}


def annotation(turns, uri="file"):
    ann = Annotation(uri=uri)
    for i, (start, end, speaker) in enumerate(turns):
        ann[Segment(start, end), i] = speaker
    return ann


def timeline(spans, uri="file"):
    return Timeline([Segment(s, e) for s, e in spans], uri=uri)


def score(metric, ref_turns, hyp_turns, uem_spans):
    uem = None if uem_spans is None else timeline(uem_spans)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "uem was approximated by ..."
        detail = metric(annotation(ref_turns), annotation(hyp_turns), uem=uem, detailed=True)
    return {key: round(float(detail[name]), 9) for key, name in COMPONENTS.items()}


def t6(x):
    """Times are rounded to the microsecond so the JSON stays small; both scorers read the same floats."""
    return round(x, 6)


def talk_time(turns):
    total = {}
    for s, e, spk in turns:
        total[spk] = total.get(spk, 0.0) + e - s
    return sorted(total, key=lambda k: (-total[k], k))


def perturbations(turns, rng):
    speakers = talk_time(turns)
    out = {"identity": [list(t) for t in turns]}
    for d in (0.05, -0.1, 0.3, -1.0):
        out[f"shift {d:+}"] = [[t6(max(0.0, s + d)), t6(max(0.0, e + d)), spk] for s, e, spk in turns]
    out["shrink 0.1"] = [[t6(s + 0.1), t6(e - 0.1), spk] for s, e, spk in turns if e - s > 0.2]
    out["grow 0.2"] = [[t6(max(0.0, s - 0.2)), t6(e + 0.2), spk] for s, e, spk in turns]
    # Rotated real names: label text equal to a reference label must not count as a match.
    rotate = {spk: speakers[(i + 1) % len(speakers)] for i, spk in enumerate(speakers)}
    out["swapped labels"] = [[s, e, rotate[spk]] for s, e, spk in turns]
    out["dropped speaker"] = [[s, e, spk] for s, e, spk in turns if spk != speakers[0]]
    extra = [[s, e, spk] for s, e, spk in turns]
    for _ in range(3):
        start = rng.uniform(0, 28)
        extra.append([t6(start), t6(start + rng.uniform(0.5, 3)), "EXTRA"])
    out["extra speaker"] = extra
    if len(speakers) > 1:
        merge = {speakers[1]: speakers[0]}
        out["merged speakers"] = [[s, e, merge.get(spk, spk)] for s, e, spk in turns]
    out["single label"] = [[s, e, "ALL"] for s, e, spk in turns]
    out["split speaker"] = [[s, e, f"{spk}_{i % 2}"] for i, (s, e, spk) in enumerate(turns)]
    overlap = [[s, e, spk] for s, e, spk in turns]
    for i, (s, e, spk) in enumerate(turns):
        if i % 2 == 0:
            other = next((x for x in speakers if x != spk), "OTHER")
            overlap.append([t6(s + (e - s) / 4), t6(e - (e - s) / 4), other])
    out["added overlap"] = overlap
    jitter = []
    for s, e, spk in turns:
        s2 = max(0.0, s + rng.uniform(-0.3, 0.3))
        e2 = e + rng.uniform(-0.3, 0.3)
        if e2 > s2:
            label = rng.choice(speakers) if rng.random() < 0.15 else spk
            jitter.append([t6(s2), t6(e2), label])
    out["jitter 0.3 (seed 5)"] = jitter
    out["empty"] = []
    return out


def synthetic_turns(rng, n_speakers, n_turns, duration, prefix):
    turns = []
    for _ in range(n_turns):
        start = rng.uniform(0, duration)
        turns.append([t6(start), t6(start + rng.expovariate(1 / 3)), f"{prefix}{rng.randrange(n_speakers)}"])
    return turns


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, default=REPO.parent / "shared" / "fixtures" / "ami")
    parser.add_argument("--out", type=Path, default=REPO / "test" / "fixtures" / "der" / "pyannote-cases.json")
    args = parser.parse_args()

    rttm_text = "".join((args.fixtures / f"{name}.rttm").read_text() for name in ("train", "dev"))
    uem_text = "".join((args.fixtures / f"{name}.uem").read_text() for name in ("train", "dev"))
    combined = args.out.parent / "ami.rttm"
    combined.parent.mkdir(parents=True, exist_ok=True)
    combined.write_text(rttm_text)
    (args.out.parent / "ami.uem").write_text(uem_text)

    # pyannote.database's own loaders, so the test can check readRttm/readUem against them.
    references = {
        uri: sorted([seg.start, seg.end, label] for seg, _, label in ann.itertracks(yield_label=True))
        for uri, ann in sorted(load_rttm(combined).items())
    }
    uems = {uri: [[seg.start, seg.end] for seg in tl] for uri, tl in sorted(load_uem(args.out.parent / "ami.uem").items())}

    rng = random.Random(5)
    cases = []
    totals = {}
    metrics = {}
    for uri, ref in references.items():
        for name, hyp in perturbations(ref, rng).items():
            expected = []
            for k, setting in enumerate(SETTINGS):
                uem = uems[uri] if setting["uem"] == "file" else setting["uem"]
                metric = metrics.setdefault((name, k), DiarizationErrorRate(collar=setting["collar"], skip_overlap=setting["skipOverlap"]))
                expected.append(score(metric, ref, hyp, uem))
            cases.append({"uri": uri, "perturbation": name, "hypothesis": hyp, "expected": expected})
    for (name, k), metric in metrics.items():
        # pyannote accumulates components over files; the total is the ratio of the sums.
        totals.setdefault(name, [None] * len(SETTINGS))[k] = {
            key: round(float(abs(metric) if key == "der" else metric[name_]), 9) for key, name_ in COMPONENTS.items()
        }

    synthetic = []
    rng = random.Random(11)
    for i in range(60):
        duration = rng.choice([20.0, 60.0])
        ref = synthetic_turns(rng, rng.randint(1, 5), rng.randint(1, 25), duration, "R")
        hyp = synthetic_turns(rng, rng.randint(1, 6), rng.randint(0, 25), duration, "H")
        if i % 3 == 0:
            uem = None
        else:
            cut = rng.uniform(0, duration)
            uem = [[0.0, t6(cut)], [t6(min(duration, cut + rng.uniform(0, 5))), duration]]
        collar = rng.choice([0.0, 0.1, 0.25, 0.5, 1.0])
        skip = rng.random() < 0.25
        expected = score(DiarizationErrorRate(collar=collar, skip_overlap=skip), ref, hyp, uem)
        synthetic.append({"reference": ref, "hypothesis": hyp, "uem": uem, "collar": collar, "skipOverlap": skip, "expected": expected})

    doc = {
        "generator": "tools/validate-der.py",
        "versions": {p: version(p) for p in ("pyannote.metrics", "pyannote.core", "pyannote.database")},
        "rttmFile": combined.name,
        "uemFile": "ami.uem",
        "reference": references,
        "uem": uems,
        "settings": SETTINGS,
        "cases": cases,
        "totals": totals,
        "synthetic": synthetic,
    }
    args.out.write_text(json.dumps(doc, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{args.out}: {len(cases)} AMI cases x {len(SETTINGS)} settings, {len(totals)} totals, {len(synthetic)} synthetic, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()

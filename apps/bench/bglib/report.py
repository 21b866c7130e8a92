"""From trials to figures: medians per point, the SLO load, the table, JSON
and CSV. Pure functions of the trials' dicts, so the tests can feed them fake
results.

Definitions (also in the JSON's "definitions"):
- a point is (model, distribution, load); its figures are medians over its
  trials;
- "no loss" for the SLO load: median loss ratio < NO_LOSS (1e-4);
- SLO load: loads are walked upward; the last load before the first one that
  breaks the SLO (median p99 > SLO, or loss) passes. Between it and the
  failing one, the crossing is interpolated with log(p99) linear in load
  when the failure is the p99's (a loss failure takes the passing load).
  "below_grid" when the first load fails (reported as 0), "at_least" when
  every load passes (reported as the highest).
"""
import csv
import json
import math
import os
import statistics

SCHEMA = "brigade-bench/1"
NO_LOSS = 1e-4


def med(values):
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def point_summary(load, trials):
    """Medians of one point's trials (dicts from trials.summarize_brigade,
    each with a "probe" of the machine's stalls just before it)."""
    keys = ("p50_us", "p99_us", "p999_us", "max_us", "loss_ratio", "drop_ratio",
            "offered_mpps", "tx_mpps", "samples", "worker0_rx_share", "steal_share",
            "foreign_cpu_s")
    clean = [t for t in trials if not t.get("disturbed")]
    out = {"load": load, "n_trials": len(trials), "n_disturbed": len(trials) - len(clean)}
    if clean:
        trials = clean         # medians over the undisturbed trials when there are some
    for k in keys:
        out[k] = med(t.get(k) for t in trials)
    probes = [t.get("probe") or {} for t in trials]
    out["stalls_per_s_over_10us"] = med(p.get("per_s_over_10us") for p in probes)
    out["stalls_per_s_over_50us"] = med(p.get("per_s_over_50us") for p in probes)
    longest = [p.get("longest_us") for p in probes if p.get("longest_us") is not None]
    out["longest_stall_us"] = max(longest) if longest else None
    out["p99_us_trials"] = [t.get("p99_us") for t in trials]
    return out


def slo_load(loads, p99s, losses, slo, no_loss=NO_LOSS):
    """(load, grid_load, how): see the module's definition."""
    prev = None
    for i, (l, p, x) in enumerate(zip(loads, p99s, losses)):
        ok_lat = p is not None and p <= slo
        ok_loss = x is not None and x < no_loss
        if ok_lat and ok_loss:
            prev = i
            continue
        if prev is None:
            return 0.0, None, "below_grid"
        l0, p0 = loads[prev], p99s[prev]
        if ok_loss and p is not None and p > slo and p0 > 0 and p > p0:
            f = (math.log(slo) - math.log(p0)) / (math.log(p) - math.log(p0))
            return l0 + f * (l - l0), l0, "interpolated"
        return l0, l0, "grid"
    if prev is None:
        return 0.0, None, "below_grid"
    return loads[prev], loads[prev], "at_least"


def theory_p99_us(theory, model_kind, loads, mean_us):
    """Theory's p99 at each load, us: interpolated on its own grid."""
    tl, tp = theory["loads"], theory[model_kind]["p99"]
    out = []
    for l in loads:
        if l <= tl[0]:
            out.append(tp[0] * mean_us)
            continue
        if l >= tl[-1]:
            out.append(tp[-1] * mean_us)
            continue
        for i in range(1, len(tl)):
            if l <= tl[i]:
                f = (l - tl[i - 1]) / (tl[i] - tl[i - 1])
                out.append(math.exp(math.log(tp[i - 1]) + f * (math.log(tp[i]) -
                                                                math.log(tp[i - 1]))) * mean_us)
                break
    return out


def model_result(model, spec, dist, mean_s, theory_kind, theory, points, slo_x, trial_seconds,
                 search=None, capacity_pps=None, theory_stalls=None):
    """The JSON entry of one model and distribution."""
    mean_us = mean_s * 1e6
    loads = [p["load"] for p in points]
    p99 = [p["p99_us"] for p in points]
    loss = [p["loss_ratio"] for p in points]
    slo_us = slo_x * mean_us
    load, grid, how = slo_load(loads, p99, loss, slo_us)
    th = theory[theory_kind]["slo_load"] if theory else None
    res = {
        "model": model, "dist": dist, "work": spec, "mean_us": mean_us,
        "theory_model": theory_kind, "slo_us": slo_us, "trial_seconds": trial_seconds,
        "capacity_mpps": capacity_pps / 1e6 if capacity_pps else None,
        "loads": loads,
        "p50_us": [p["p50_us"] for p in points], "p99_us": p99,
        "p999_us": [p["p999_us"] for p in points], "max_us": [p["max_us"] for p in points],
        "loss_ratio": loss, "drop_ratio": [p["drop_ratio"] for p in points],
        "offered_mpps": [p["offered_mpps"] for p in points],
        "tx_mpps": [p["tx_mpps"] for p in points],
        "theory_p99_us": theory_p99_us(theory, theory_kind, loads, mean_us) if theory else None,
        "slo_load": load, "slo_load_grid": grid, "slo_load_how": how,
        "theory_slo_load": th,
        "share_of_theory": load / th if th else None,
        "stalls": [{"load": p["load"], "per_s_over_10us": p["stalls_per_s_over_10us"],
                    "per_s_over_50us": p["stalls_per_s_over_50us"],
                    "longest_us": p["longest_stall_us"], "steal_share": p["steal_share"]}
                   for p in points],
        "points": points,
    }
    ts = (theory_stalls or {}).get(theory_kind)
    if ts and theory_stalls.get("loads") == loads:
        res["theory_stalls_p99_us"] = ts["p99_us"]
        res["theory_stalls_slo_load"] = ts["slo_load"]
        res["share_of_theory_stalls"] = load / ts["slo_load"] if ts["slo_load"] else None
    res.update(search_fields(search, capacity_pps))
    return res


def search_fields(search, capacity_pps=None):
    """ndr_mpps, pdr_mpps (and as loads), bounds, trials of a search result
    whose rates are total packets per second over both ports."""
    if not search:
        return {"ndr_mpps": None, "pdr_mpps": None, "ndr_load": None, "pdr_load": None,
                "search": None}
    out = {}
    for k in ("ndr", "pdr"):
        r = search.get(k)
        out[f"{k}_mpps"] = r / 1e6 if r is not None else None
        out[f"{k}_load"] = r / capacity_pps if r is not None and capacity_pps else None
    b = {}
    for k, v in search["bounds"].items():
        b[k] = {"lower_mpps": v["lower_rate"] / 1e6 if v["lower_rate"] is not None else None,
                "upper_mpps": v["upper_rate"] / 1e6 if v["upper_rate"] is not None else None,
                "lower_loss": v["lower_loss"], "upper_loss": v["upper_loss"],
                "rel_width": v["rel_width"]}
    out["search"] = {"bounds": b, "trial_seconds": search.get("trial_seconds"),
                     "trial_details": search.get("trial_details"),
                     "width_goal": search.get("width_goal"), "criteria": search.get("criteria"),
                     "trials": [{"mpps": t["rate"] / 1e6, "loss_ratio": t["loss"]}
                                for t in search["trials"]]}
    return out


# ---- noise against p99 ----

def spearman(xs, ys):
    pairs = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    if len(pairs) < 3:
        return None

    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2.0
            i = j + 1
        return r
    rx = ranks([p[0] for p in pairs])
    ry = ranks([p[1] for p in pairs])
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else None


def stall_effect(results, big_us=None):
    """How the machine's stalls moved p99, over every sweep trial: each
    trial's p99 relative to its point's median (1.0 = typical), against the
    stalls its probe saw just before it and against the CPU time the
    hypervisor stole during it."""
    rel, s50, longest, steal, maxlat = [], [], [], [], []
    for per_dist in results.values():
        for r in per_dist.values():
            for p in r["points"]:
                m = p["p99_us"]
                for t in p.get("trials", []):
                    if not m or t.get("p99_us") is None or t.get("disturbed"):
                        continue
                    pr = t.get("probe") or {}
                    rel.append(t["p99_us"] / m)
                    s50.append(pr.get("per_s_over_50us"))
                    longest.append(pr.get("longest_us"))
                    steal.append(t.get("steal_share"))
                    maxlat.append(t.get("max_us"))
    if big_us is None:         # split at the median: two groups of about the same size
        big_us = med(longest) or 200.0
    with_big = [r for r, lg in zip(rel, longest) if lg is not None and lg > big_us]
    without = [r for r, lg in zip(rel, longest) if lg is not None and lg <= big_us]
    return {
        "trials": len(rel),
        "big_stall_us": big_us,
        "spearman_rel_p99_vs_stalls_over_50us": spearman(s50, rel),
        "spearman_rel_p99_vs_longest_stall": spearman(longest, rel),
        "spearman_rel_p99_vs_steal": spearman(steal, rel),
        "trials_after_big_stall": len(with_big),
        "median_rel_p99_after_big_stall": med(with_big),
        "median_rel_p99_otherwise": med(without),
        "rel_p99_spread_p10_p90": (quant(rel, 0.1), quant(rel, 0.9)) if rel else None,
    }


def quant(v, q):
    v = sorted(x for x in v if x is not None)
    if not v:
        return None
    return v[min(len(v) - 1, int(q * len(v)))]


def probes_summary(probes):
    """Over all the run's probes: medians and the worst."""
    if not probes:
        return None
    return {"probes": len(probes),
            "seconds_each": med(p.get("seconds") for p in probes),
            "resolution_ns": med(p.get("resolution_ns") for p in probes),
            "median_per_s_over_10us": med(p.get("per_s_over_10us") for p in probes),
            "median_per_s_over_50us": med(p.get("per_s_over_50us") for p in probes),
            "median_per_s_over_200us": med(p.get("per_s_over_200us") for p in probes),
            "median_longest_us": med(p.get("longest_us") for p in probes),
            "max_longest_us": max((p.get("longest_us") or 0) for p in probes),
            "median_lost_share": med(p.get("lost_share") for p in probes),
            "mean_lost_share": statistics.fmean(p.get("lost_share") or 0 for p in probes),
            "length_edges_us": list(noise_edges()),
            "mean_per_s_by_length": [
                statistics.fmean((p.get("per_s_by_length") or [0] * (len(noise_edges()) - 1))[i]
                                 for p in probes) for i in range(len(noise_edges()) - 1)]
            if all(p.get("per_s_by_length") for p in probes) else None,
            "mean_us_per_s_by_length": [
                statistics.fmean((p.get("us_per_s_by_length") or [0] * (len(noise_edges()) - 1))[i]
                                 for p in probes) for i in range(len(noise_edges()) - 1)]
            if all(p.get("us_per_s_by_length") for p in probes) else None}


def noise_edges():
    from .noise import LENGTH_EDGES_US
    return LENGTH_EDGES_US


# ---- output ----

def fmt(v, spec, dash="-"):
    if v is None:
        return format(dash, ">" + spec.lstrip("<>").split(".")[0].rstrip("fdegs%"))
    return format(v, spec)


def ratios(results, models):
    """migrate/pinned and migrate/eventdev SLO loads per distribution."""
    out = {}
    for num, den in (("migrate", "pinned"), ("migrate", "eventdev"),
                     ("migrate-unordered", "pinned"), ("eventdev", "pinned")):
        if num not in models or den not in models:
            continue
        d = {}
        for spec in results.get(num, {}):
            rn, rd = results[num][spec], results.get(den, {}).get(spec, {})
            a, b = rn["slo_load"], rd.get("slo_load")
            below_n = rn.get("slo_load_how") == "below_grid"
            below_d = rd.get("slo_load_how") == "below_grid"
            if below_n and below_d or a is None or b is None:
                d[spec] = None
            elif below_d:
                # the denominator is below the lowest load: a lower bound
                d[spec] = {"at_least": a / min(rd["loads"])}
            elif below_n:
                d[spec] = {"at_most": min(rn["loads"]) / b}
            else:
                d[spec] = a / b if b else None
        out[f"{num}/{den}"] = d
    return out


def table(doc):
    """The human table, as text."""
    L = []
    res = doc["results"]
    cfg = doc["config"]
    specs = []
    for m in res:
        for s in res[m]:
            if s not in specs:
                specs.append(s)
    L.append(f"SLO: p99 <= {cfg['slo_x_mean']:g} x mean service time, no loss (loss ratio < "
             f"{cfg['no_loss_ratio']:g}); loads as a share of 2 workers' capacity 2/mean; "
             f"medians of {cfg['trials']} trial(s) of {cfg['trial_seconds']:g} s")
    for spec in specs:
        L.append("")
        L.append(f"--work {spec}")
        rows = [(m, res[m][spec]) for m in res if spec in res[m]]
        loads = rows[0][1]["loads"]
        L.append("  p99 us by load" + " " * 7 + "".join(f"{l:>8.2f}" for l in loads))
        for m, r in rows:
            L.append(f"  {m:<21}" + "".join(fmt(v, '8.1f') for v in r["p99_us"]))
            if any((x or 0) >= NO_LOSS for x in r["loss_ratio"]):
                L.append(f"  {'  loss %':<21}" + "".join(
                    fmt(x * 100 if x is not None else None, '8.2f') for x in r["loss_ratio"]))
        th = rows[0][1]
        for kind, name in (("random", "theory n x M/G/1"), ("shared", "theory M/G/n")):
            tp = doc["theory"].get(th["dist"])
            if tp:
                vals = theory_p99_us(tp, kind, loads, th["mean_us"])
                L.append(f"  {name:<21}" + "".join(fmt(v, '8.1f') for v in vals))
        tst = (doc.get("theory_stalls") or {}).get(spec)
        if tst and tst.get("loads") == loads:
            for kind, name in (("random", "+bursts+stalls"), ("shared", "M/G/n+stalls")):
                L.append(f"  {name:<21}" + "".join(fmt(v, '8.1f') for v in tst[kind]["p99_us"]))
        L.append(f"  {'model':<20} {'SLO load':>9} {'theory':>7} {'share':>6} {'w/stalls':>8}  "
                 f"{'NDR Mpps':>9} {'(load)':>7} {'PDR Mpps':>9} {'(load)':>7}  NDR bounds Mpps")
        for m, r in rows:
            how = {"below_grid": "<", "at_least": ">=", "grid": " ", "interpolated": " "}[
                r["slo_load_how"]]
            b = (r.get("search") or {}).get("bounds", {}).get("ndr", {})
            bounds = (f"[{fmt(b.get('lower_mpps'), '.4f')}, {fmt(b.get('upper_mpps'), '.4f')}]"
                      if b else "-")
            sl, share = r["slo_load"], fmt(r['share_of_theory'], '6.2f')
            if r["slo_load_how"] == "below_grid":
                sl = min(r["loads"])
                if r["theory_slo_load"]:
                    share = format(f"<{sl / r['theory_slo_load']:.2f}", ">6")
            L.append(f"  {m:<20} {how:>2}{fmt(sl, '6.3f')} "
                     f"{fmt(r['theory_slo_load'], '7.3f')} {share} "
                     f"{fmt(r.get('theory_stalls_slo_load'), '8.3f')}  "
                     f"{fmt(r['ndr_mpps'], '9.4f')} {fmt(r['ndr_load'], '7.3f')} "
                     f"{fmt(r['pdr_mpps'], '9.4f')} {fmt(r['pdr_load'], '7.3f')}  {bounds}")
    rt = doc.get("ratios") or {}
    if rt:
        L.append("")
        L.append("SLO load ratios")
        for name, d in rt.items():
            L.append(f"  {name:<20}" + "  ".join(
                (f"{s} >{v['at_least']:.2f}" if "at_least" in v else f"{s} <{v['at_most']:.2f}")
                if isinstance(v, dict) else f"{s} {fmt(v, '.2f')}"
                for s, v in d.items()))
    an = doc.get("anchors")
    if an:
        L.append("")
        L.append(f"Plain forwarding (io, no --work), NDR on two bgen ports ({an.get('arrival')} "
                 f"arrivals, {an.get('trial_seconds'):g} s trials):")
        for k in ("testpmd_io", "brigade_pinned_io"):
            a = an.get(k)
            if a:
                b = a["search"]["bounds"]["ndr"] if a.get("search") else {}
                L.append(f"  {k:<20} NDR {fmt(a['ndr_mpps'], '8.3f')} Mpps  PDR "
                         f"{fmt(a['pdr_mpps'], '8.3f')} Mpps  NDR bounds "
                         f"[{fmt(b.get('lower_mpps'), '.3f')}, {fmt(b.get('upper_mpps'), '.3f')}]")
        if an.get("ndr_ratio") is not None:
            L.append(f"  brigade/testpmd NDR {an['ndr_ratio']:.3f}")
    st = doc.get("stalls") or {}
    if st.get("probes"):
        p = st["probes"]
        L.append("")
        L.append(f"Machine stalls ({p['probes']} probes of {fmt(p['seconds_each'], '.2f')} s on "
                 f"every CPU between trials, resolution {fmt(p['resolution_ns'], '.0f')} ns): "
                 f"median {fmt(p['median_per_s_over_10us'], '.0f')}/s > 10 us, "
                 f"{fmt(p['median_per_s_over_50us'], '.1f')}/s > 50 us, "
                 f"{fmt(p['median_per_s_over_200us'], '.1f')}/s > 200 us; longest median "
                 f"{fmt(p['median_longest_us'], '.0f')} us, worst {fmt(p['max_longest_us'], '.0f')} us")
        e = st.get("effect") or {}
        if e.get("trials"):
            L.append(f"  trial p99 / its point's median: after a probe whose longest stall was > "
                     f"{e['big_stall_us']:.0f} us (the median) "
                     f"{fmt(e['median_rel_p99_after_big_stall'], '.2f')} "
                     f"({e['trials_after_big_stall']} trials), otherwise "
                     f"{fmt(e['median_rel_p99_otherwise'], '.2f')}; Spearman vs stalls > 50 us/s "
                     f"{fmt(e['spearman_rel_p99_vs_stalls_over_50us'], '.2f')}, vs steal "
                     f"{fmt(e['spearman_rel_p99_vs_steal'], '.2f')}")
    return "\n".join(L)


SWEEP_COLS = ["model", "work", "dist", "mean_us", "load", "offered_mpps", "tx_mpps", "p50_us",
              "p99_us", "p999_us", "max_us", "loss_ratio", "drop_ratio", "theory_p99_us",
              "theory_stalls_p99_us",
              "n_trials", "samples", "worker0_rx_share", "stalls_per_s_over_10us",
              "stalls_per_s_over_50us", "longest_stall_us", "steal_share"]
SUMMARY_COLS = ["model", "work", "dist", "mean_us", "slo_us", "slo_load", "slo_load_how",
                "theory_model", "theory_slo_load", "share_of_theory", "theory_stalls_slo_load",
                "share_of_theory_stalls", "ndr_mpps", "ndr_load",
                "ndr_lower_mpps", "ndr_upper_mpps", "pdr_mpps", "pdr_load", "pdr_lower_mpps",
                "pdr_upper_mpps", "trial_seconds"]


def write_outputs(doc, out_dir):
    """brigade-bench.json, sweep.csv, summary.csv in out_dir; returns paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    jp = os.path.join(out_dir, "brigade-bench.json")
    tmp = jp + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")
    os.replace(tmp, jp)
    paths["json"] = jp
    sp = os.path.join(out_dir, "sweep.csv")
    with open(sp, "w", newline="") as f:
        w = csv.DictWriter(f, SWEEP_COLS)
        w.writeheader()
        for m, per in doc["results"].items():
            for spec, r in per.items():
                for i, p in enumerate(r["points"]):
                    row = {k: p.get(k) for k in SWEEP_COLS}
                    row.update(model=m, work=spec, dist=r["dist"], mean_us=r["mean_us"],
                               theory_p99_us=(r["theory_p99_us"] or [None] * (i + 1))[i],
                               theory_stalls_p99_us=(r.get("theory_stalls_p99_us") or
                                                     [None] * (i + 1))[i])
                    w.writerow(row)
    paths["sweep_csv"] = sp
    up = os.path.join(out_dir, "summary.csv")
    with open(up, "w", newline="") as f:
        w = csv.DictWriter(f, SUMMARY_COLS)
        w.writeheader()
        for m, per in doc["results"].items():
            for spec, r in per.items():
                row = {k: r.get(k) for k in SUMMARY_COLS}
                b = (r.get("search") or {}).get("bounds", {})
                for k in ("ndr", "pdr"):
                    row[f"{k}_lower_mpps"] = b.get(k, {}).get("lower_mpps")
                    row[f"{k}_upper_mpps"] = b.get(k, {}).get("upper_mpps")
                row.update(model=m, work=spec)
                w.writerow(row)
        for k, a in (doc.get("anchors") or {}).items():
            if isinstance(a, dict) and "ndr_mpps" in a:
                b = (a.get("search") or {}).get("bounds", {})
                row = {"model": k, "work": "none", "ndr_mpps": a["ndr_mpps"],
                       "pdr_mpps": a["pdr_mpps"], "trial_seconds": a.get("trial_seconds")}
                for kk in ("ndr", "pdr"):
                    row[f"{kk}_lower_mpps"] = b.get(kk, {}).get("lower_mpps")
                    row[f"{kk}_upper_mpps"] = b.get(kk, {}).get("upper_mpps")
                w.writerow(row)
    paths["summary_csv"] = up
    return paths


def disturbed(t, max_foreign_cpu):
    """A trial during which other processes used more than max_foreign_cpu
    of one CPU (a share of the trial's duration), or that overlapped one."""
    fc = t.get("foreign_cpu_s")
    return bool(t.get("disturbed")) or (
        fc is not None and fc > max_foreign_cpu * max(1.0, t.get("duration_s") or 0))


def reanalyze(doc, max_foreign_cpu):
    """Recompute a saved run's sweep figures (points, SLO loads, ratios,
    stall effect) from its trials, marking disturbed trials with
    max_foreign_cpu; the searches are kept as they were. In place."""
    for m, per in doc["results"].items():
        for spec, r in per.items():
            pts = []
            for p in r["points"]:
                ts = p["trials"]
                for t in ts:
                    t["disturbed"] = disturbed(t, max_foreign_cpu)
                q = point_summary(p["load"], ts)
                q["trial_seconds"] = p.get("trial_seconds")
                q["trials"] = ts
                pts.append(q)
            keep = {k: r.get(k) for k in ("ndr_mpps", "pdr_mpps", "ndr_load", "pdr_load",
                                          "search", "min_packets", "capacity_mpps")}
            th = doc["theory"].get(r["dist"])
            new = model_result(m, spec, r["dist"], r["mean_us"] / 1e6, r["theory_model"], th,
                               pts, doc["config"]["slo_x_mean"], r["trial_seconds"],
                               theory_stalls=(doc.get("theory_stalls") or {}).get(spec))
            new.update(keep)
            per[spec] = new
    doc["ratios"] = ratios(doc["results"], list(doc["results"]))
    doc.setdefault("stalls", {})["effect"] = stall_effect(doc["results"])
    doc["config"]["max_foreign_cpu"] = max_foreign_cpu
    doc.setdefault("reanalyzed", []).append({"max_foreign_cpu": max_foreign_cpu})
    return doc

"""SVG charts written by hand (no matplotlib here): p99 latency against load,
one panel per service-time distribution, each model measured beside the two
theory curves; and SLO loads, measured against theory, as bars."""
import math
from xml.sax.saxutils import escape

COLORS = {"pinned": "#1f77b4", "migrate": "#d62728", "migrate-unordered": "#ff7f0e",
          "eventdev": "#2ca02c", "eventdev-sw": "#9467bd"}
THEORY_STYLE = {"random": ("#555555", "6,4", "theory n x M/G/1 (pinned's)"),
                "shared": ("#555555", "2,3", "theory M/G/n (migration's)")}
STALL_STYLE = {"random": ("#9ab7d3", "8,3,2,3", "theory + bursts + this machine's stalls (pinned's)"),
               "shared": ("#e09a9a", "8,3,2,3", "theory M/G/n + this machine's stalls")}
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'


def _color(model, i):
    return COLORS.get(model, ["#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"][i % 4])


def _ticks_log(lo, hi):
    out = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo * 0.9999 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    return out


def _num(v):
    return f"{v:g}" if v < 1e4 else f"{v:.0e}"


class Panel:
    def __init__(self, x, y, w, h, xlo, xhi, ylo, yhi):
        self.x, self.y, self.w, self.h = x, y, w, h
        self.xlo, self.xhi = xlo, xhi
        self.lylo, self.lyhi = math.log10(ylo), math.log10(yhi)
        self.ylo, self.yhi = ylo, yhi

    def px(self, v):
        return self.x + (v - self.xlo) / (self.xhi - self.xlo) * self.w

    def py(self, v):
        v = min(max(v, self.ylo), self.yhi)
        return self.y + self.h - (math.log10(v) - self.lylo) / (self.lyhi - self.lylo) * self.h


def _polyline(panel, xs, ys, color, dash=None, width=2.0, markers=True, clip=None):
    pts = [(panel.px(x), panel.py(y)) for x, y in zip(xs, ys) if y is not None and y > 0]
    out = []
    if len(pts) >= 2:
        d = f' stroke-dasharray="{dash}"' if dash else ""
        c = f' clip-path="url(#{clip})"' if clip else ""
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="{width}"{d}{c} '
                   f'points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}"/>')
    if markers:
        for a, b in pts:
            out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"/>')
    return out


def p99_chart(doc, path, cols=2):
    """One panel per --work spec: p99 (log scale) against load, each model's
    medians, the two theory curves, the SLO line and each model's SLO load."""
    res = doc["results"]
    specs = []
    for m in res:
        for s in res[m]:
            if s not in specs:
                specs.append(s)
    models = list(res)
    pw, ph, ml, mt, mb, mr = 420, 280, 70, 40, 50, 20
    cols = max(1, min(cols, len(specs)))
    rows = max(1, math.ceil(len(specs) / cols))
    legend_h = 24 * math.ceil((len(models) + 5) / 2) + 10
    W = max(760, cols * (pw + ml + mr) + 20)
    H = rows * (ph + mt + mb) + legend_h + 50
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}">', f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15" {FONT}>'
         f'p99 latency against offered load, 2 workers (measured: medians of trials; '
         f'theory: simulated)</text>']
    slo_x = doc["config"]["slo_x_mean"]
    for k, spec in enumerate(specs):
        r0 = next(res[m][spec] for m in models if spec in res[m])
        mean = r0["mean_us"]
        slo = slo_x * mean
        th = doc["theory"].get(r0["dist"])
        ys = [slo]
        for m in models:
            if spec in res[m]:
                ys += [v for v in res[m][spec]["p99_us"] if v]
        if th:
            ys += [min(th[k]["p99"]) * mean for k in THEORY_STYLE]
        ylo = max(0.5, 0.7 * min(ys))
        yhi = max(slo * 20, max(ys) * 1.2)
        xlo, xhi = 0.0, 1.0
        cx, cy = k % cols, k // cols
        P = Panel(10 + cx * (pw + ml + mr) + ml, 40 + cy * (ph + mt + mb) + mt, pw, ph,
                  xlo, xhi, ylo, yhi)
        clip = f"clip{k}"
        o.append(f'<clipPath id="{clip}"><rect x="{P.x}" y="{P.y}" width="{P.w}" '
                 f'height="{P.h}"/></clipPath>')
        o.append(f'<rect x="{P.x}" y="{P.y}" width="{P.w}" height="{P.h}" fill="none" '
                 f'stroke="#999"/>')
        o.append(f'<text x="{P.x + P.w / 2}" y="{P.y - 10}" text-anchor="middle" '
                 f'font-size="14" {FONT}>--work {escape(spec)}  (SLO p99 &#8804; '
                 f'{_num(slo)} us)</text>')
        for t in _ticks_log(ylo, yhi):
            yy = P.py(t)
            o.append(f'<line x1="{P.x}" x2="{P.x + P.w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#eee"/>')
            o.append(f'<text x="{P.x - 5}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" '
                     f'{FONT}>{_num(t)}</text>')
        for i in range(0, 11, 2):
            v = i / 10
            xx = P.px(v)
            o.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{P.y}" y2="{P.y + P.h}" '
                     f'stroke="#eee"/>')
            o.append(f'<text x="{xx:.1f}" y="{P.y + P.h + 16}" text-anchor="middle" '
                     f'font-size="11" {FONT}>{v:.1f}</text>')
        o.append(f'<text x="{P.x + P.w / 2}" y="{P.y + P.h + 34}" text-anchor="middle" '
                 f'font-size="12" {FONT}>offered load (share of 2 / mean)</text>')
        o.append(f'<text transform="translate({P.x - 50},{P.y + P.h / 2}) rotate(-90)" '
                 f'text-anchor="middle" font-size="12" {FONT}>p99 latency, us</text>')
        yy = P.py(slo)
        o.append(f'<line x1="{P.x}" x2="{P.x + P.w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                 f'stroke="#c00" stroke-width="1"/>')
        o.append(f'<text x="{P.x + 4}" y="{yy - 4:.1f}" font-size="10" fill="#c00" {FONT}>'
                 f'SLO {_num(slo)} us</text>')
        if th:
            for kind, (col, dash, _) in THEORY_STYLE.items():
                o += _polyline(P, th["loads"], [v * mean for v in th[kind]["p99"]], col, dash,
                               1.5, False, clip)
                sl = th[kind]["slo_load"]
                if sl:
                    o.append(f'<line x1="{P.px(sl):.1f}" x2="{P.px(sl):.1f}" '
                             f'y1="{P.py(slo) - 6:.1f}" y2="{P.py(slo) + 6:.1f}" '
                             f'stroke="{col}" stroke-width="1.5" stroke-dasharray="{dash}"/>')
        tst = (doc.get("theory_stalls") or {}).get(spec)
        if tst:
            for kind, (col, dash, _) in STALL_STYLE.items():
                o += _polyline(P, tst["loads"], tst[kind]["p99_us"], col, dash, 1.2, False, clip)
        for i, m in enumerate(models):
            if spec not in res[m]:
                continue
            r = res[m][spec]
            col = _color(m, i)
            o += _polyline(P, r["loads"], r["p99_us"], col, None, 2.0, True, clip)
            sl = r.get("slo_load")
            if sl:
                xx = P.px(sl)
                o.append(f'<path d="M{xx:.1f},{P.py(slo):.1f} l-5,-9 l10,0 z" fill="{col}"/>')
    # legend
    ly = 40 + rows * (ph + mt + mb) + 10
    items = [(m, _color(m, i), None) for i, m in enumerate(models)] + \
        [(THEORY_STYLE[k][2], THEORY_STYLE[k][0], THEORY_STYLE[k][1]) for k in THEORY_STYLE] + \
        ([(STALL_STYLE[k][2], STALL_STYLE[k][0], STALL_STYLE[k][1]) for k in STALL_STYLE]
         if doc.get("theory_stalls") else []) + \
        [("SLO (triangles: SLO loads)", "#c00", None)]
    for j, (name, col, dash) in enumerate(items):
        x = 30 + (j % 2) * (W - 40) / 2
        y = ly + (j // 2) * 24
        d = f' stroke-dasharray="{dash}"' if dash else ""
        o.append(f'<line x1="{x}" x2="{x + 36}" y1="{y}" y2="{y}" stroke="{col}" '
                 f'stroke-width="2"{d}/>')
        o.append(f'<text x="{x + 44}" y="{y + 4}" font-size="12" {FONT}>{escape(name)}</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")
    return path


def slo_chart(doc, path):
    """Bars: each model's SLO load per --work spec, its theory's beside it."""
    res = doc["results"]
    models = list(res)
    specs = []
    for m in res:
        for s in res[m]:
            if s not in specs:
                specs.append(s)
    gw = 40 * (len(models) + 2)
    W, H, ml, mt, mb = max(760, 80 + gw * len(specs)), 360, 60, 50, 90
    ph = H - mt - mb
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
         f'viewBox="0 0 {W} {H}">', f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15" {FONT}>SLO load '
         f'(p99 &#8804; {doc["config"]["slo_x_mean"]:g} x mean, no loss): measured bars, '
         f'theory ticks</text>']

    def y(v):
        return mt + ph - v * ph
    for i in range(0, 11, 2):
        v = i / 10
        o.append(f'<line x1="{ml}" x2="{W - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#eee"/>')
        o.append(f'<text x="{ml - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" '
                 f'{FONT}>{v:.1f}</text>')
    for k, spec in enumerate(specs):
        x0 = ml + 20 + k * gw
        for i, m in enumerate(models):
            r = res[m].get(spec)
            if not r:
                continue
            col = _color(m, i)
            v = r.get("slo_load") or 0.0
            x = x0 + i * 40
            label = {"below_grid": f"<{min(r['loads']):g}", "at_least": f"\u2265{v:.2f}"}.get(
                r.get("slo_load_how"), f"{v:.2f}")
            o.append(f'<rect x="{x}" y="{y(v):.1f}" width="30" height="{y(0) - y(v):.1f}" '
                     f'fill="{col}"/>')
            o.append(f'<text x="{x + 15}" y="{y(v) - 4:.1f}" text-anchor="middle" '
                     f'font-size="10" {FONT}>{escape(label)}</text>')
            t = r.get("theory_slo_load")
            if t:
                o.append(f'<line x1="{x - 3}" x2="{x + 33}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                         f'stroke="#000" stroke-width="2" stroke-dasharray="4,2"/>')
            t = r.get("theory_stalls_slo_load")
            if t:
                o.append(f'<line x1="{x - 3}" x2="{x + 33}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                         f'stroke="#888" stroke-width="2" stroke-dasharray="1,2"/>')
        o.append(f'<text x="{x0 + len(models) * 20}" y="{H - mb + 18}" text-anchor="middle" '
                 f'font-size="12" {FONT}>{escape(spec)}</text>')
    for i, m in enumerate(models):
        x = ml + i * 150
        o.append(f'<rect x="{x}" y="{H - 40}" width="14" height="14" fill="{_color(m, i)}"/>')
        o.append(f'<text x="{x + 20}" y="{H - 28}" font-size="12" {FONT}>{escape(m)}</text>')
    o.append(f'<line x1="{ml + len(models) * 150}" x2="{ml + len(models) * 150 + 30}" '
             f'y1="{H - 33}" y2="{H - 33}" stroke="#000" stroke-width="2" '
             f'stroke-dasharray="4,2"/>')
    o.append(f'<text x="{ml + len(models) * 150 + 36}" y="{H - 28}" font-size="12" {FONT}>'
             f'theory</text>')
    if any(r.get("theory_stalls_slo_load") for per in res.values() for r in per.values()):
        x = ml + len(models) * 150 + 100
        o.append(f'<line x1="{x}" x2="{x + 30}" y1="{H - 33}" y2="{H - 33}" stroke="#888" '
                 f'stroke-width="2" stroke-dasharray="1,2"/>')
        o.append(f'<text x="{x + 36}" y="{H - 28}" font-size="12" {FONT}>theory with this '
                 f'machine\'s stalls</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")
    return path

"""The after-show report as pure data: segments planned vs actual, polls, every question's
path, the 一把手 answer rate. Built from the public views (GET /api/scene, /api/state,
/api/polls, /api/questions), so the engine's CSV route and the PDF writer agree.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from .operators import ROLE_NAMES
from .followup import HEAD_RATE_TARGET, RESULTS, SATISFACTION, answered_by_head, head_answer_rate, heads_from_scene
from .venues import venue_results

SOURCE_NAMES = {"web": "网络", "hotline": "热线", "studio": "现场"}
STATE_NAMES = {"new": "待初审", "screened": "待终审", "approved": "已通过", "rejected": "未采用",
               "on_air": "播出中", "answered": "已答复", "referred": "已转办", "closed": "已办结"}
ACTION_NAMES = {"created": "收到", "screen": "初审", "approve": "终审", "reject": "不采用", "on_air": "播出",
                "off_air": "撤下", "answered": "现场答复", "refer": "转办", "close": "办结", "edit": "改稿",
                "priority": "优先级", "reorder": "排序", "reply": "单位回复", "callback": "回访", "merge": "合并"}
_QUIET = ("priority", "reorder", "edit")  # details, not steps of the review path
POLL_KINDS = {"satisfaction": "满意度", "rating4": "测评", "yesno": "表决", "choice": "选择"}


def clock_time(epoch: float | None, timezone: str) -> str:
    if not epoch:
        return ""
    return datetime.fromtimestamp(epoch, ZoneInfo(timezone or "Asia/Shanghai")).strftime("%H:%M:%S")


def mmss(seconds: float | None) -> str:
    seconds = round(seconds or 0)
    sign = "-" if seconds < 0 else ""
    return f"{sign}{abs(seconds) // 60}:{abs(seconds) % 60:02d}"


def review_path(q: Mapping[str, Any]) -> str:
    steps = [ACTION_NAMES.get(h.get("action", ""), h.get("action", "")) for h in q.get("history", [])
             if h.get("action") not in _QUIET or h.get("reapproval")]  # a rewording sent back to 终审 is a step
    return " → ".join(steps)


def poll_rows(polls: Sequence[Mapping[str, Any]], venues: Sequence[str] = (),
              venue_names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Raw counts beside the combined share: the studio and the remote audience weighted as
    the scene says, exactly the figure the overlay and the control room showed on air. With
    sub-venues (三民, more than one venue), each poll also carries its result by venue."""
    rows = []
    for p in polls:
        tally = p.get("tally") or {}
        combined = p.get("combined") or {}
        ballots = p.get("ballots", 0)
        choices = []
        for c in p.get("choices", []):
            studio = (tally.get("studio") or {}).get(c["key"], 0)
            remote = (tally.get("remote") or {}).get(c["key"], 0)
            choices.append({"key": c["key"], "label": c["label"], "studio": studio, "remote": remote,
                            "total": studio + remote, "combined_pct": combined.get(c["key"]),
                            "raw_pct": round(100 * (studio + remote) / ballots, 2) if ballots else None})
        by_venue = venue_results(p, venues, venue_names) if len(venues) > 1 else None
        rows.append({"id": p.get("id"), "title": p.get("title", ""), "kind": POLL_KINDS.get(p.get("kind"), p.get("kind")),
                     "state": p.get("state", ""), "ballots": p.get("ballots", 0), "choices": choices,
                     "score": p.get("score"), "unit": p.get("unit", ""),
                     "venues": by_venue if by_venue and by_venue["rows"] else None})
    return rows


def question_rows(questions: Sequence[Mapping[str, Any]], heads: Mapping[str, str], tz: str) -> list[dict[str, Any]]:
    rows = []
    for q in questions:
        answered = q.get("answered_by") or ""
        role = ""
        if q.get("answered_at") or q.get("state") == "answered":
            role = "一把手" if answered_by_head(q, heads) else "副职/其他"
        rows.append({
            "id": q.get("id"), "source": SOURCE_NAMES.get(q.get("source"), q.get("source")),
            "name": q.get("name", "") or ("匿名" if q.get("anonymous") else ""), "district": q.get("district", ""),
            "phone": q.get("phone", ""), "unit": q.get("unit", ""), "text": q.get("text", ""),
            "air_text": q.get("air_text", ""), "count": q.get("count", 1),
            "state": STATE_NAMES.get(q.get("state"), q.get("state")), "path": review_path(q),
            "reason": q.get("reason", ""), "received": clock_time(q.get("created_at"), tz),
            "on_air": clock_time(q.get("on_air_at"), tz), "answered_by": answered, "role": role,
            "refer_unit": q.get("refer_unit", ""), "due": q.get("due", ""),
            "result": f"{q['result']} {RESULTS[q['result']]}" if q.get("result") in RESULTS else "",
            "reply": q.get("reply", ""), "satisfaction": SATISFACTION.get(q.get("satisfaction", ""), ""),
            "flagged": "、".join(q.get("flagged", [])),
            **_people(q),
        })
    return rows


def report_data(scene: Mapping[str, Any], state: Mapping[str, Any], polls: Sequence[Mapping[str, Any]],
                questions: Sequence[Mapping[str, Any]], ranking: Mapping[str, Any] | None = None) -> dict[str, Any]:
    tz = scene.get("timezone") or "Asia/Shanghai"
    heads = heads_from_scene(scene)
    segments = [{"index": s.get("index"), "title": s.get("title", ""), "planned_s": s.get("planned_s", 0),
                 "actual_s": round(s.get("actual_s") or 0, 1),
                 "delta_s": round((s.get("actual_s") or 0) - (s.get("planned_s") or 0), 1)}
                for s in state.get("running_order", [])]
    by_head, answered, rate = head_answer_rate(questions, heads)
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.get("source", "")] = counts.get(q.get("source", ""), 0) + 1
    show = state.get("show") or {}
    gaps = [{"ended": clock_time(i.get("ended_at"), tz), "resumed": clock_time(i.get("resumed_at"), tz),
             "gap_s": round((i.get("resumed_at") or 0) - (i.get("ended_at") or 0), 1)}
            for i in show.get("interruptions") or []]
    return {
        "title": scene.get("title", ""), "subtitle": scene.get("subtitle", ""),
        "rehearsal": bool(show.get("rehearsal") or scene.get("rehearsal")),
        "weights": {"studio": scene.get("studio_weight", 0.5), "remote": scene.get("remote_weight", 0.5)},
        "interruptions": gaps,
        "started": clock_time(show.get("started_at"), tz), "status": show.get("status", ""),
        # The engine's time in the show's zone: a report printed on a PC set to UTC must agree.
        "generated": (datetime.fromtimestamp(state["server_time"], ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
                      if state.get("server_time") else ""),
        "planned_total_s": sum(s["planned_s"] for s in segments),
        "actual_total_s": round(sum(s["actual_s"] for s in segments), 1),
        "segments": segments,
        "polls": poll_rows(polls, list(scene.get("venues") or ()), scene.get("venue_names") or {}),
        "questions": question_rows(questions, heads, tz), "sources": counts,
        "head_rate": {"by_head": by_head, "answered": answered, "rate": rate, "target": HEAD_RATE_TARGET},
        "ranking": ranking_rows(ranking),
        "hearing": hearing_rows(polls, scene.get("units") or []),
    }


def hearing_rows(polls: Sequence[Mapping[str, Any]], units: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """听证评议: each unit's hearing score as the ranking counts it — its latest rating4 poll that has
    a score (core/show.py hearing_scores) — with the representatives it was divided by.
    `units` (the scene's) turn a short name into the unit's name, as the ranking does."""
    names = {u.get("short"): u.get("name") for u in units if u.get("short")}
    names.update({u.get("name"): u.get("name") for u in units})
    counted: dict[str, dict[str, Any]] = {}
    for p in sorted(polls, key=lambda p: p.get("id") or 0):
        if p.get("kind") != "rating4" or not p.get("unit") or p.get("score") is None:
            continue
        unit = names.get(p["unit"], p["unit"])
        counted[unit] = {"unit": unit, "score": p["score"], "attending": p.get("attending"),
                         "attending_source": ATTENDING_SOURCES.get(p.get("attending_source"), p.get("attending_source") or ""),
                         "ballots": p.get("ballots", 0), "poll": p.get("id"), "title": p.get("title", "")}
    order = [u.get("name") for u in units]
    return sorted(counted.values(), key=lambda r: order.index(r["unit"]) if r["unit"] in order else len(order))


ATTENDING_SOURCES = {"director": "导演录入", "signed_in": "座位签到", "ballots": "按投票数"}
HEARING_COLUMNS = [("unit", "单位"), ("score", "听证评议分数"), ("attending", "参加评议代表人数"),
                   ("attending_source", "人数依据"), ("ballots", "投票数"), ("poll", "投票编号"), ("title", "投票标题")]


def ranking_rows(ranking: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """群众满意单位评议: each unit's parts, composite, rank in its group; [] when nothing was scored."""
    rows = [{"group": g.get("group", ""), **u} for g in (ranking or {}).get("groups", []) for u in g.get("units", [])]
    scored = any(r.get(k) is not None for r in rows for k in ("survey", "review", "hearing", "assessment"))
    return rows if scored else []


RANKING_COLUMNS = [("group", "组别"), ("rank", "名次"), ("unit", "单位"), ("survey", "满意度测评(40%)"),
                   ("review", "政风建设年(20%)"), ("hearing", "听证评议(20%)"), ("assessment", "工作考核(20%)"),
                   ("composite", "总成绩"), ("satisfactory", "群众满意单位")]


QUESTION_COLUMNS = [("id", "编号"), ("source", "来源"), ("name", "姓名"), ("district", "区域"), ("phone", "电话"),
                    ("unit", "责任单位"), ("text", "原文"), ("air_text", "播出文字"), ("count", "人次"),
                    ("state", "状态"), ("path", "审核路径"), ("reason", "不采用原因"), ("received", "收到时间"),
                    ("on_air", "播出时间"), ("answered_by", "答复人"), ("role", "答复人身份"),
                    ("refer_unit", "转办单位"), ("due", "办理期限"), ("result", "办理结果"), ("reply", "单位回复"),
                    ("satisfaction", "回访满意度"), ("flagged", "敏感词"),
                    ("screened_by", "初审人"), ("approved_by", "终审人"), ("aired_by", "播出人"),
                    ("override", "导演越过四眼原则")]


def report_csv(data: Mapping[str, Any]) -> str:
    """One CSV with three sections; a BOM so Excel opens the Chinese correctly."""
    out = io.StringIO()
    w = SafeCsvWriter(out)
    w.writerow([f"{'【彩排】' if data.get('rehearsal') else ''}{data['title']} 节目报告", data.get("started", "")])
    hr = data["head_rate"]
    w.writerow(["一把手答复率", f"{hr['by_head']}/{hr['answered']}",
                "" if hr["rate"] is None else f"{hr['rate']:.0%}", f"目标 {hr['target']:.0%}"])
    w.writerow([])
    w.writerow(["环节", "计划时长", "实际时长", "超时(+)/提前(-)", "计划秒", "实际秒"])
    for s in data["segments"]:
        w.writerow([s["title"], mmss(s["planned_s"]), mmss(s["actual_s"]), mmss(s["delta_s"]), s["planned_s"], s["actual_s"]])
    w.writerow([])
    for gap in data.get("interruptions") or []:  # an accidental end undone with show.resume
        w.writerow(["节目误结束", gap["ended"], "恢复直播", gap["resumed"], "间隔秒", gap["gap_s"]])
    weights = data.get("weights") or {}
    w.writerow(["投票编号", "标题", "类型", "状态", "票数", "选项", "现场", "场外", "合计", "合计占比%",
                f"加权占比%（播出，现场{weights.get('studio', 0.5):g}:场外{weights.get('remote', 0.5):g}）"])
    empty = {"label": "", "studio": "", "remote": "", "total": "", "raw_pct": None, "combined_pct": None}
    for p in data["polls"]:
        for c in p["choices"] or [empty]:
            w.writerow([p["id"], p["title"], p["kind"], p["state"], p["ballots"], c["label"], c["studio"], c["remote"],
                        c["total"], _pct(c.get("raw_pct")), _pct(c.get("combined_pct"))])
    w.writerow([])
    w.writerow([label for _, label in QUESTION_COLUMNS])
    for q in data["questions"]:
        w.writerow([q[key] for key, _ in QUESTION_COLUMNS])
    if data.get("ranking"):  # the hearing's year result, last so the sections above keep their places
        w.writerow([])
        w.writerow([label for _, label in RANKING_COLUMNS])
        for r in data["ranking"]:
            w.writerow(["" if r.get(k) is None else ("是" if r[k] else "") if k == "satisfactory" else r[k]
                        for k, _ in RANKING_COLUMNS])
    if data.get("hearing"):  # each unit's hearing score with the representatives it was divided by
        w.writerow([])
        w.writerow([label for _, label in HEARING_COLUMNS])
        for r in data["hearing"]:
            w.writerow(["" if r.get(k) is None else r[k] for k, _ in HEARING_COLUMNS])
    venue_csv_rows(w, data["polls"])
    return "\ufeff" + out.getvalue()


VENUE_COLUMNS = ["投票编号", "部门", "标题", "会场", "会场名称", "票数"]


def venue_csv_rows(w: "SafeCsvWriter", polls: Sequence[Mapping[str, Any]]) -> None:
    """三民: each department's result by venue, a row per poll and venue (the total of the
    venues, 合计, last), then per choice its label, ballots and share of the venue's ballots."""
    polls = [p for p in polls if p.get("venues")]
    if not polls:
        return
    w.writerow([])
    w.writerow(["分会场评议结果"])
    w.writerow([*VENUE_COLUMNS, "选项", "票数", "占比%", "…"])
    for p in polls:
        board = p["venues"]
        for row in [*board["rows"], board["total"], *([board["remote"]] if board.get("remote") else [])]:
            cells: list[Any] = [p["id"], p.get("unit", ""), p["title"], row["key"], row["name"], row["ballots"]]
            for c in board["choices"]:
                share = row["shares"].get(c["key"])
                cells += [c.get("label", c["key"]), row["counts"].get(c["key"], 0), "" if share is None else share]
            w.writerow(cells)


def _pct(value: float | None) -> Any:
    return "" if value is None else round(value, 1)


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# A negative number or a signed mm:ss duration ("-3", "-0.5", "-1:05", the report's 提前 column)
# is all digits: no formula can be built from it, so it stays as it is and stays a number.
_SIGNED_NUMBER = re.compile(r"-\d+(\.\d+)?(:\d\d){0,2}", re.ASCII)


def spreadsheet_safe(value: Any) -> Any:
    """Spreadsheets run a cell starting with = + - @ (or a tab/CR) as a formula: text stays text.
    Only str cells are touched: an int or float is written as the number it is."""
    if isinstance(value, str) and value[:1] in FORMULA_LEADS and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer that defuses every cell it writes: the one place the engine's CSV files
    (report.csv here, ballots.csv and summary.csv in server/exports.py) are written, so
    titles, labels, names and viewer text can never reach a spreadsheet as a formula."""

    def __init__(self, out: Any, **fmt: Any):
        self._writer = csv.writer(out, **fmt)

    def writerow(self, row: Sequence[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(v) for v in row])

    def writerows(self, rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


# --- who did each step (issue 15) ------------------------------------------------------------
# Every history entry carries "actor": {"id", "name", "role"}. The report names who screened
# (初审), who approved (终审) and who put the question on air, the last time each happened.
_ACTOR_STEPS = (("screen", "screened_by"), ("approve", "approved_by"), ("on_air", "aired_by"))


def actor_name(actor: Any) -> str:
    """"李四（审核）", or the name alone when it is the role's own name ("导演")."""
    if not isinstance(actor, Mapping):
        return ""
    name, role = str(actor.get("name") or ""), ROLE_NAMES.get(str(actor.get("role") or ""), str(actor.get("role") or ""))
    if not name or name == role:
        return role
    return f"{name}（{role}）" if role else name


def review_actors(q: Mapping[str, Any]) -> dict[str, Any]:
    """{"screened_by", "approved_by", "aired_by": names ("" if never or not recorded),
    "override": True if the last 终审 was the director overriding the four-eyes rule}."""
    out: dict[str, Any] = {key: "" for _, key in _ACTOR_STEPS}
    out["override"] = False
    for entry in q.get("history", []):
        for action, key in _ACTOR_STEPS:
            if entry.get("action") == action:
                out[key] = actor_name(entry.get("actor"))
                if action == "approve":
                    out["override"] = bool(entry.get("override"))
    return out


def _people(q: Mapping[str, Any]) -> dict[str, Any]:
    """Who screened, approved and aired the question, for the report's rows."""
    people = review_actors(q)
    return {**people, "override": "是" if people["override"] else ""}

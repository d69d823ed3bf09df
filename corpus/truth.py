"""The planted answers, collected while the corpus is planned and written as
``truth.json`` (format documented in docs/corpus.md).  Large arrays (messages, series) are
streamed through temporary JSON-lines files so a million messages fit in memory."""

from __future__ import annotations

import json
import shutil
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from corpus.cast import NEWCOMER_SINCE
from corpus.compose import BOGUS_DATES
from corpus.maintainers import SECTIONS, maintainers_for_files
from corpus.model import DAY, END_TS, Mail, Person, list_address
from corpus.people import address_reason
from corpus.render import iso
from corpus.survival import km_median
from corpus.truthjson import (
    JSON_BOOL,
    copy_lines,
    dumps,
    encode_str,
    files_json,
    list_json,
    lists_json,
    round3,
    str_json,
)

if TYPE_CHECKING:
    from corpus.thread import Node, SeriesBuild

FORMAT_VERSION = 1


class Totals(TypedDict):
    """The ``totals`` object of truth.json."""

    messages: int
    threads: int
    series: int
    patches: int
    covers: int
    replies: int
    duplicate_copies: int
    deleted: int
    outcomes: dict[str, int]  # outcome -> number of series


def eff_date(node: Node) -> int:
    """The time an ingester should store as the message's date."""
    return node.archive_ts if node.noise in BOGUS_DATES else node.date_ts


class Truth:
    def __init__(self, tmp_dir: Path) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir = tmp_dir
        self._msgs = open(tmp_dir / "messages.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self._series = open(tmp_dir / "series.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self.counts: Counter[str] = Counter()
        self.threads: set[str] = set()
        self.sub_durations: dict[str, list[tuple[float, bool]]] = defaultdict(list)
        self.list_end: dict[str, int] = {}  # list address → last trusted message date
        self._deferred: list[tuple[dict, int, bool]] = []
        self.sub_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.person_msgs: Counter[str] = Counter()
        self.person_patches: Counter[str] = Counter()
        self.person_first_patch: dict[str, str] = {}  # person id -> iso date
        self.person_addrs: dict[str, set[str]] = defaultdict(set)
        self.pitfalls: dict[str, list[Any]] = defaultdict(list)
        self.deleted: list[dict] = []
        self.first_msgs = 0

    def pitfall(self, name: str, value: Any) -> None:
        self.pitfalls[name].append(value)

    # -- series -----------------------------------------------------------------------
    def add_series(self, b: SeriesBuild, people: dict[str, Person]) -> None:
        posted = min(map(eff_date, b.posts))
        maint = maintainers_for_files(b.files)
        resp = [
            n
            for n in b.replies
            if n.kind == "reply" and not n.sender.is_bot and n.sender.id != b.author.id
        ]
        resp.sort(key=eff_date)
        first = resp[0] if resp else None
        first_m = next((n for n in resp if n.sender.id in maint), None)
        review = [n for n in resp if any(k in ("reviewed-by", "acked-by") for k, _ in n.tags)]
        tested = [n for n in resp if any(k == "tested-by" for k, _ in n.tags)]
        earliest: dict[Node | None, int] = {}  # post -> first response to it (resp is sorted)
        for n in resp:
            n.truth_extra["is_response"] = True
            if n.anchor not in earliest:
                earliest[n.anchor] = eff_date(n)
        for post in b.posts:
            post.truth_extra["first_response_at"] = iso(earliest.get(post))
        first_t = eff_date(first) if first else None
        if b.applied_at is not None:
            outcome = "applied"
        elif b.next_key is not None or b.later_version:
            outcome = "superseded"
        elif first_t is None or first_t - posted > 30 * DAY:
            outcome = None  # ignored or pending: decided in write(), at the observation end
        else:
            outcome = "discussed"
        aff = b.author.affiliation_at(posted)
        n_patches = sum(1 for n in b.posts if n.kind == "patch")
        rec = {
            "key": b.key,
            "version": b.version,
            "prev_version": b.prev_key,
            "next_version": b.next_key,
            "resend_of": b.resend_of,
            "resent_as": b.resent_as,
            "change_id": b.change_id,
            "subject": b.subject,
            "author": b.author.id,
            "author_email": b.addr,
            "org_kind": aff.kind.value,
            "org_name": aff.org,
            "org_reason": address_reason(b.author, b.addr),
            "lists": [list_address(x) for x in b.lists],
            "subsystems": list(b.subsystems),
            "n_patches": n_patches,
            "patch_total": b.total,
            "has_cover": any(n.kind == "cover" for n in b.posts),
            "is_rfc": b.rfc,
            "is_resend": b.resend,
            "message_ids": [n.mid for n in b.posts],
            "posted_at": iso(posted),
            "outcome": outcome,
            "applied_at": iso(b.applied_at),
            "applied_by": b.applied_by,
            "first_response_at": iso(first_t),
            "first_response_by": first.sender.id if first else None,
            "first_maintainer_response_at": iso(eff_date(first_m)) if first_m else None,
            # a review tag carried in the patches counts from the posting (docs/metrics.md,
            # "Review tag")
            "first_review_at": iso(posted) if any(
                k in ("reviewed-by", "acked-by") for k, _p in b.carried) else (
                iso(eff_date(review[0])) if review else None),
            "first_tested_at": iso(eff_date(tested[0])) if tested else None,
            "carried_tags": [[k, p.addresses[0]] for k, p in b.carried],
            "n_responses": len(resp),
            "n_bot_replies": sum(1 for n in b.replies if n.sender.is_bot),
            "pitfalls": b.pitfalls,
        }
        self.counts["series"] += 1
        for s in b.subsystems:
            c = self.sub_counts[s]
            c["series"] += 1
            c["patches"] += n_patches
            if first_t is not None:
                self.sub_durations[s].append(((first_t - posted) / 3600, True))
        if outcome is None or first_t is None:
            # needs the observation end: the last trusted message of the series' lists,
            # known once every mail is out (as lorelens' series.observed_until)
            self._deferred.append((rec, posted, first_t is None))
            return
        self._count_outcome(rec)
        self._series.write(dumps(rec) + "\n")

    def _count_outcome(self, rec: dict) -> None:
        self.counts[f"outcome:{rec['outcome']}"] += 1
        for s in rec["subsystems"]:
            self.sub_counts[s][rec["outcome"]] += 1

    def _observed_until(self, lists: list[str]) -> int:
        ends = [self.list_end[x] for x in lists if x in self.list_end]
        return max(ends) if ends else max(self.list_end.values(), default=END_TS)

    def _settle_deferred(self) -> None:
        for rec, posted, censored in self._deferred:
            end = self._observed_until(rec["lists"])
            if rec["outcome"] is None:
                rec["outcome"] = "ignored" if end - posted >= 30 * DAY else "pending"
            if censored:
                for s in rec["subsystems"]:
                    self.sub_durations[s].append(((end - posted) / 3600, False))
            self._count_outcome(rec)
            self._series.write(dumps(rec) + "\n")
        self._deferred = []

    # -- shards -----------------------------------------------------------------------
    def handover(self) -> dict:
        """What a shard's collector knows that the writing process needs: the series side
        (``add_series`` runs where the stories are planned; ``emit`` runs in the writer).
        Closes the shard's files."""
        self._msgs.close()
        self._series.close()
        return {
            "counts": self.counts,
            "sub_counts": self.sub_counts,
            "sub_durations": self.sub_durations,
            "deferred": self._deferred,
            "pitfalls": self.pitfalls,
            "series_file": self.tmp_dir / "series.jsonl",
        }

    def absorb(self, state: dict) -> None:
        """Add one shard's ``handover`` (in shard order, so ``series[]`` is the same
        whatever ran the shards)."""
        self.counts.update(state["counts"])
        for s, c in state["sub_counts"].items():
            self.sub_counts[s].update(c)
        for s, d in state["sub_durations"].items():
            self.sub_durations[s].extend(d)
        self._deferred.extend(state["deferred"])
        for name, values in state["pitfalls"].items():
            self.pitfalls[name].extend(values)
        with open(state["series_file"], encoding="utf-8") as f:
            shutil.copyfileobj(f, self._series, 1 << 20)

    # -- messages ---------------------------------------------------------------------
    def message_truth(self, node: Node, lists: tuple[str, ...]) -> tuple:
        """The message's ``messages[]`` entry, as a finished JSON line (or, for the mail
        without Message-ID whose ``content_sha1`` needs the stored bytes, as a dict), plus
        what ``emit`` counts: (entry, thread_root, person, kind, date, duplicate, trusted
        date as a timestamp or None when the Date header is bogus)."""
        kind = node.kind
        is_post = kind == "cover" or kind == "patch"
        p = node.patch
        extra = node.truth_extra
        mid = node.mid
        if node.noise in BOGUS_DATES:  # (``eff_date``, inlined: this runs for every mail)
            date, trusted, source = iso(node.archive_ts), None, BOGUS_DATES[node.noise]
        else:
            date, trusted, source = iso(node.date_ts), node.date_ts, "header"
        # a mail without references starts a thread; only replies lack a Message-ID
        root = node.refs[0] if node.refs else cast(str, mid)
        dup = "duplicate" in extra
        pid = node.sender.id
        if p is not None:
            files = files_json(p.files)
            added, removed, has_diff = str(p.added), str(p.removed), "true"
        else:
            files = list_json(extra.get("files", ()))
            # a reply that carries a diff (the 'Re: [PATCH]' respin) has its counts too
            lines = extra.get("lines")
            added, removed = (str(lines[0]), str(lines[1])) if lines else ("null", "null")
            has_diff = "true" if extra.get("has_diff") else "false"
        owner = str_json(node.owner)
        counter = node.counter if is_post and node.counter is not None else "null"
        trailers = ",".join([f"[{encode_str(k)},{encode_str(e)}]" for k, _, e in node.trailers])
        line = (
            f'{{"message_id":{str_json(mid)},"lists":{lists_json(lists)},"person":{encode_str(pid)},'
            f'"from_email":{encode_str(node.addr)},"from_is_bot":{JSON_BOOL[node.sender.is_bot]},'
            f'"subject":{encode_str(node.subject)},"date":"{date}","date_source":"{source}",'
            f'"archive_time":"{iso(node.archive_ts)}","in_reply_to":{str_json(node.parent_mid)},'
            f'"thread_root":{encode_str(root)},"is_reply":{JSON_BOOL[kind == "reply"]},'
            f'"is_patch":{JSON_BOOL[kind == "patch"]},"is_cover":{JSON_BOOL[kind == "cover"]},'
            f'"has_diff":{has_diff},"series":{owner if is_post else "null"},'
            f'"responds_to_series":{owner if kind == "reply" else "null"},'
            f'"is_response":{JSON_BOOL[bool(extra.get("is_response"))]},'
            f'"patch_counter":{counter},'
            f'"files":{files},"lines_added":{added},"lines_removed":{removed},'
            f'"trailers":[{trailers}],"first_response_at":{str_json(extra.get("first_response_at"))},'
            f'"pitfalls":{list_json(node.pitfalls)}}}\n'
        )
        if mid is None or dup or "identify_by" in extra:  # the few special mails: a dict
            rec = json.loads(line)
            if mid is None:
                rec["msgid_synthetic"] = True
            for k in ("duplicate", "identify_by"):
                if k in extra:
                    rec[k] = extra[k]
            return rec, root, pid, kind, date, dup, trusted
        return line, root, pid, kind, date, dup, trusted

    def emit(self, mail: Mail, first_copy: bytes) -> None:
        entry, root, pid, kind, date, dup, trusted = mail.truth
        if isinstance(entry, dict):
            if entry.get("msgid_synthetic"):
                import hashlib

                entry["content_sha1"] = hashlib.sha1(first_copy).hexdigest()
            entry = dumps(entry) + "\n"
        self._msgs.write(entry)
        counts = self.counts
        if dup:
            counts["duplicate_copies"] += 1
            return
        counts["messages"] += 1
        if trusted is not None and mail.deleted_at is None:
            # what an ingester can see of each list: its last message with a trusted date
            for name in mail.lists:
                addr = list_address(name)
                if trusted > self.list_end.get(addr, -1):
                    self.list_end[addr] = trusted
        self.threads.add(root or "")
        self.person_msgs[pid] += 1
        self.person_addrs[pid].add(mail.from_addr)
        if kind == "patch":
            counts["patches"] += 1
            self.person_patches[pid] += 1
            first = self.person_first_patch.get(pid)
            if first is None or date < first:
                self.person_first_patch[pid] = date
        elif kind == "cover":
            counts["covers"] += 1
        elif kind == "reply":
            counts["replies"] += 1

    def emit_deleted(self, mail: Mail) -> None:
        self.deleted.append(
            {
                "message_id": mail.mid,
                "list": list_address(mail.lists[0]),
                "archived_at": iso(mail.archive_ts),
                "deleted_at": iso(mail.deleted_at),
                "formats": ["v2"],
            }
        )

    # -- output -----------------------------------------------------------------------
    def subsystems(self) -> list[dict]:
        out = []
        for s in SECTIONS:
            c = self.sub_counts.get(s.name, Counter())
            d = self.sub_durations.get(s.name, [])
            answered = [t for t, obs in d if obs]
            n = len(d)
            out.append(
                {
                    "name": s.name,
                    "status": s.status,
                    "lists": list(s.lists),
                    "series": c["series"],
                    "patches": c["patches"],
                    "outcomes": {
                        k: c[k]
                        for k in ("applied", "superseded", "ignored", "pending", "discussed")
                    },
                    "answered": len(answered),
                    "median_first_response_hours_answered": (
                        round(statistics.median(answered), 3) if answered else None
                    ),
                    "km_median_first_response_hours": round3(km_median(d)),
                    "answered_within": {
                        f"{k}d": round(sum(1 for t in answered if t <= 24 * k) / n, 4)
                        if n
                        else None
                        for k in (1, 7, 30)
                    },
                }
            )
        return out

    def people(self, people: dict[str, Person]) -> list[dict]:
        out = []
        for pid in sorted(people):
            p = people[pid]
            if not self.person_msgs.get(pid) and not p.is_bot and not pid.startswith("p-"):
                continue
            first = self.person_first_patch.get(pid)
            out.append(
                {
                    "id": pid,
                    "names": [p.name, *p.alt_names],
                    "addresses": list(p.addresses) + ([p.sob_address] if p.sob_address else []),
                    "addresses_used": sorted(self.person_addrs.get(pid, ())),
                    "address_reasons": {a: address_reason(p, a) for a in p.addresses},
                    "orgs": [
                        {
                            "kind": a.kind.value,
                            "name": a.org,
                            "valid_from": iso(a.valid_from),
                            "valid_to": iso(a.valid_to),
                            "reason": a.reason.value,
                        }
                        for a in p.affiliations
                    ],
                    "is_bot": p.is_bot,
                    "messages": self.person_msgs.get(pid, 0),
                    "patches": self.person_patches.get(pid, 0),
                    "first_patch_at": first,
                    "newcomer": first is not None and first >= iso(NEWCOMER_SINCE),
                }
            )
        return out

    def write(self, path: Path, head: dict, people: dict[str, Person], tail: dict) -> None:
        self._settle_deferred()
        self._msgs.close()
        self._series.close()
        totals: Totals = {
            "messages": self.counts["messages"],
            "threads": len(self.threads),
            "series": self.counts["series"],
            "patches": self.counts["patches"],
            "covers": self.counts["covers"],
            "replies": self.counts["replies"],
            "duplicate_copies": self.counts["duplicate_copies"],
            "deleted": len(self.deleted),
            "outcomes": {k.split(":", 1)[1]: v for k, v in sorted(self.counts.items()) if ":" in k},
        }
        with open(path, "w", encoding="utf-8") as out:
            out.write(f'{{"format":{FORMAT_VERSION}')
            for k, v in head.items():
                out.write(f",{dumps(k)}:{dumps(v)}")
            out.write(f',"totals":{dumps(totals)}')
            out.write(f',"people":{dumps(self.people(people))}')
            out.write(f',"subsystems":{dumps(self.subsystems())}')
            for name in ("series", "messages"):
                out.write(f',"{name}":[\n')
                copy_lines(self.tmp_dir / f"{name}.jsonl", out)
                out.write("\n]")
            out.write(f',"deleted":{dumps(self.deleted)}')
            out.write(f',"pitfalls":{dumps(dict(sorted(self.pitfalls.items())))}')
            for k, v in tail.items():
                out.write(f",{dumps(k)}:{dumps(v)}")
            out.write("}\n")
        self.totals = totals
        shutil.rmtree(self.tmp_dir, ignore_errors=True)

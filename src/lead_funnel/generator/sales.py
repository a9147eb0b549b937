"""The sales side of the funnel: hand-offs, touches, decisions, opportunities, and the cycles.

Marketing hands a lead over at the default scoring model's MQL moments (`handoff`), scored
from the engagement the chunk simulated; sales-sourced leads are worked from a prospecting
moment instead. Each cycle is simulated in steps, each from the one random stream of the
chunk: the first touch (whose speed sets the response quality), accept or reject, qualify
or disqualify, the opportunity and its outcome, then recycle and follow-ups. The truth's
cycles are not these intentions but what `cycles.derive_cycles` makes of the records written.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from lead_funnel.generator import vocab as V
from lead_funnel.generator.cycles import Opportunity, StatusChange, Touch, derive_cycles
from lead_funnel.generator.encode import DAY, ID_WIDTHS, ids, ts_strings
from lead_funnel.generator.engagement import Events
from lead_funnel.generator.handoff import HandoffScores, next_handoff
from lead_funnel.generator.population import JOB_SEEKER, STUDENT, Accounts, Leads
from lead_funnel.generator.state import TRUTH_CYCLE_COLUMNS, Run
from lead_funnel.scoring.reference import LeadProfile

FIRST_TOUCH_KINDS = ("call", "email", "call", "linkedin_message")
SALES_FOLLOW_UP_KINDS = ("call", "email", "meeting", "linkedin_message")
UNACCEPTED_FOLLOW_UP_KINDS = ("call", "email")


def _sigmoid(x: float) -> float:
    """The logistic function."""
    return 1.0 / (1.0 + math.exp(-x))


def simulate_sales(
    run: Run, prng: random.Random, accounts: Accounts, leads: Leads, events: Events
) -> SalesSimulator:
    """Hand the chunk's leads to sales, simulate every cycle and derive the truth's cycles.

    Hand-offs are the default scoring model's MQL moments, scored from what the files say.
    """
    scores = HandoffScores(
        events.lead,
        events.occurred,
        events.etype,
        V.engagement_event_types(),
        events.props_idx,
        events.props_vocab,
        _scoring_profiles(accounts, leads),
    )
    outbound_at: dict[int, int] = {}
    for i in np.flatnonzero(leads.outbound).tolist():
        at = int(leads.created[i] + prng.lognormvariate(math.log(3 * DAY), 1.0))
        if at <= run.end:
            outbound_at[i] = at
    sim = SalesSimulator(run, prng, accounts, leads)
    sim.run_leads(scores, leads.created.tolist(), outbound_at)
    sim.derive_all()
    return sim


def _scoring_profiles(accounts: Accounts, leads: Leads) -> list[LeadProfile]:
    """Each lead's firmographics as the scoring model reads them from the files.

    Generated values are already as staging leaves them (trimmed; lower-case emails,
    domains and industries; upper-case countries).
    """
    country_codes = list(V.COUNTRIES)
    profiles = []
    for i in range(leads.size):
        acc = int(leads.account[i])
        title = leads.titles[i]
        domain = leads.emails[i].rsplit("@", 1)[1]
        country = country_codes[leads.country[i]]
        if acc >= 0:
            revenue = accounts.revenue[acc]
            profiles.append(
                LeadProfile(
                    lead_id="",
                    job_title=title,
                    email_domain=domain,
                    country=country,
                    industry=V.INDUSTRIES[accounts.industry[acc]],
                    employee_count=float(accounts.employees[acc]),
                    annual_revenue=None if accounts.revenue_missing[acc] else float(revenue),
                    account_country=country_codes[accounts.country[acc]],
                    account_domain=accounts.domains[acc],
                )
            )
        else:
            profiles.append(
                LeadProfile(lead_id="", job_title=title, email_domain=domain, country=country)
            )
    return profiles


@dataclass
class _CycleWork:
    """One cycle being simulated: its lead, rep, first touch and how far it has got."""

    lead: int
    rep: int
    rep_id: str
    touch: int
    quality: float  # response quality of the first touch
    last: int  # the cycle's latest sales moment so far
    accepted: bool = False
    recycled: int | None = None  # the intended recycle moment (may lie after the end)


class SalesSimulator:
    """Turns each lead's hand-offs into sales touches, decisions and opportunities."""

    MAX_CYCLES = 4

    def __init__(self, run: Run, prng: random.Random, accounts: Accounts, leads: Leads) -> None:
        """Sales for the chunk's `leads`, drawing from `prng`; reps are fixed per run seed."""
        self.run = run
        self.P = run.profile
        self.prng = prng
        self.lead_num = leads.num
        self.lead_acc = leads.account
        self.acc_num = accounts.num
        self.employees = accounts.employees
        self.fit = leads.fit.tolist()
        self.intent = leads.intent.tolist()
        self.persona = leads.persona.tolist()
        self.reps = [f"R{k:03d}" for k in range(1, self.P.n_reps + 1)]
        rep_rng = random.Random(run.seed * 7919 + 17)
        self.rep_load = [rep_rng.lognormvariate(0.0, 0.45) for _ in self.reps]
        self.rep_weight = [1.0 / x for x in self.rep_load]
        self.activities: list[tuple[int, str, str, int]] = []
        self.changes: list[tuple[int, str, str | None, int, str]] = []
        self.opps: list[tuple[int, int, int, str, float, int | None, str | None]] = []
        # per lead: real MQL candidates, sales-side records (for deriving the truth's cycles)
        self.candidates: dict[int, list[int]] = {}
        self.touches: dict[int, list[Touch]] = defaultdict(list)
        self.lead_changes: dict[int, list[StatusChange]] = defaultdict(list)
        self.lead_opps: dict[int, list[Opportunity]] = defaultdict(list)
        self.created: dict[int, int] = {}
        self.cycles: dict[int, list[dict[str, Any]]] = {}

    # -- helpers ------------------------------------------------------------------------
    def _rep(self) -> int:
        """A rep for a new cycle; less loaded reps get more."""
        return self.prng.choices(range(len(self.reps)), weights=self.rep_weight)[0]

    def _quality(self, delay_minutes: float) -> float:
        """Response quality of a first touch `delay_minutes` after the hand-off."""
        P = self.P
        return P.response_floor + (1 - P.response_floor) * math.exp(
            -delay_minutes / P.response_tau_minutes
        )

    def _touch_delay_minutes(self, rep: int) -> float | None:
        """Minutes from hand-off to first touch (minutes, hours or days); None = never."""
        P, r = self.P, self.prng
        u = r.random()
        if u < P.never_touched_share:
            return None
        u = (u - P.never_touched_share) / (1 - P.never_touched_share)
        if u < P.fast_touch_share:
            d = r.lognormvariate(math.log(3.0), 0.8)
        elif u < P.fast_touch_share + P.hours_touch_share:
            d = r.lognormvariate(math.log(150.0), 1.0)
        else:
            d = r.lognormvariate(math.log(36 * 60.0), 0.7)
        return max(0.5, d * self.rep_load[rep])

    def _reason(self, i: int, rejection: bool) -> str:
        """The reason of a rejection (or disqualification) of lead i."""
        r = self.prng.random()
        if self.persona[i] in (STUDENT, JOB_SEEKER):
            return "wrong_contact"
        if rejection and r < 0.03:
            return "duplicate"
        if self.fit[i] < 0.45:
            return "bad_fit" if r < 0.6 else "no_budget"
        if self.intent[i] < 0.3:
            return "not_ready" if r < 0.5 else "no_response"
        return ("no_budget", "not_ready", "no_response", "bad_fit")[int(r * 4)]

    def _activity(self, i: int, rep: int, at: int, kinds: tuple[str, ...]) -> None:
        """Record a sales activity of one of `kinds` on lead i."""
        kind = kinds[int(self.prng.random() * len(kinds))]
        self.activities.append((i, self.reps[rep], kind, at))
        self.touches[i].append(Touch(at, self.reps[rep]))

    def _change(self, i: int, status: str, reason: str | None, at: int, by: str) -> None:
        """Record a status change of lead i."""
        self.changes.append((i, status, reason, at, by))
        self.lead_changes[i].append(StatusChange(at, status, reason))

    # -- the leads of the chunk, cycle by cycle ---------------------------------------------
    def run_leads(
        self, scores: HandoffScores, created: list[int], outbound_at: dict[int, int]
    ) -> None:
        """Simulate every lead's cycles from its hand-offs, in rounds of one cycle per lead.

        Round k simulates the k-th cycle of every lead still in play (in lead order). A lead
        whose cycle reset its behaviour (a recycle) is re-scored, together with the other
        such leads, under all of its resets so far: that gives its next hand-off, the first
        eligible moment after the recycle, and its MQL candidates for the truth.

        A sales-sourced lead (`outbound_at`) is worked from that moment when it comes before
        its next hand-off; the warehouse infers a cycle from it only if sales qualify the lead
        (or open an opportunity) before marketing qualifies it.
        """
        candidates = scores.eligible_at()
        in_play = sorted(set(candidates) | set(outbound_at))
        after: dict[int, int | None] = {}
        resets: dict[int, list[int]] = {}
        for i in in_play:
            self.created[i] = created[i]
            self.candidates[i] = candidates.get(i, [])
            after[i] = None
        outbound = dict(outbound_at)
        for _ in range(self.MAX_CYCLES):
            next_round, rescore = [], []
            for i in in_play:
                moment = next_handoff(self.candidates[i], after[i])
                inferred = False
                at = outbound.get(i)
                if at is not None and (moment is None or at < moment):
                    if after[i] is None or at > after[i]:
                        moment, inferred = at, True
                    del outbound[i]
                if moment is None:
                    continue
                known = len(self.lead_changes[i])
                recycled = self._cycle(i, moment, inferred)
                new_resets = [
                    c.at for c in self.lead_changes[i][known:] if scores.resets_on(c.status)
                ]
                if new_resets:
                    resets.setdefault(i, []).extend(new_resets)
                    rescore.append(i)
                if recycled is not None:
                    after[i] = recycled
                    next_round.append(i)
            if rescore:
                found = scores.eligible_at(rescore, {i: resets[i] for i in rescore})
                for i in rescore:
                    self.candidates[i] = found.get(i, [])
            in_play = next_round
            if not in_play:
                break

    # -- one cycle ------------------------------------------------------------------------
    def _cycle(self, i: int, mql: int, inferred: bool) -> int | None:
        """Simulate one cycle from its hand-off; returns the recycle moment if there is one.

        An inferred (sales-sourced) cycle starts with its first touch and is accepted then.
        """
        work = self._first_touch(i, mql, inferred)
        if work is None:
            return None
        if inferred:
            accepted, accepted_at = True, work.touch
        else:
            accepted, accepted_at = self._acceptance(work)
        if not accepted:
            if not self._reject(work):
                return None
        else:
            if accepted_at > self.run.end:
                return None
            self._work_accepted(work, accepted_at, inferred)
        return self._close_cycle(work)

    def _first_touch(self, i: int, mql: int, inferred: bool) -> _CycleWork | None:
        """Assign a rep and record the first touch; None when it never happens in the period."""
        rep = self._rep()
        if inferred:
            delay = 0.0
            touch = mql
        else:
            d = self._touch_delay_minutes(rep)
            if d is None:
                return None
            delay = d
            touch = mql + max(30, int(d * 60))
            if touch > self.run.end:
                return None
        self._activity(i, rep, touch, FIRST_TOUCH_KINDS)
        q = self._quality(delay) if not inferred else 0.6
        return _CycleWork(
            lead=i, rep=rep, rep_id=self.reps[rep], touch=touch, quality=q, last=touch
        )

    def _acceptance(self, work: _CycleWork) -> tuple[bool, int]:
        """(accepted, when) of a marketing hand-off: likelier with fit, intent and a fast touch."""
        P, r = self.P, self.prng
        fit, intent = self.fit[work.lead], self.intent[work.lead]
        p_acc = (
            _sigmoid(P.accept_bias + P.accept_fit * (fit - 0.5) + P.accept_intent * (intent - 0.5))
            * work.quality**P.accept_response_exp
        )
        accepted = r.random() < p_acc
        return accepted, work.touch + int(r.lognormvariate(math.log(40 * 60), 1.0))

    def _reject(self, work: _CycleWork) -> bool:
        """Record the rejection, maybe intending a recycle; False when it falls after the end."""
        P, r, i = self.P, self.prng, work.lead
        rejected_at = work.touch + int(r.lognormvariate(math.log(4 * 3600), 1.2))
        if rejected_at > self.run.end:
            return False
        reason = self._reason(i, rejection=True)
        self._change(i, "sales_rejected", reason, rejected_at, work.rep_id)
        work.last = rejected_at
        if reason != "duplicate" and r.random() < P.recycle_share * (0.5 + self.intent[i]):
            work.recycled = rejected_at + int(r.uniform(7, 60) * DAY)
        return True

    def _work_accepted(self, work: _CycleWork, accepted_at: int, inferred: bool) -> None:
        """Record the acceptance, then qualify (maybe with an opportunity), disqualify or
        intend a recycle."""
        P, r, end, i = self.P, self.prng, self.run.end, work.lead
        fit, intent = self.fit[i], self.intent[i]
        work.accepted = True
        self._change(i, "sales_accepted", None, accepted_at, work.rep_id)
        work.last = accepted_at
        bias = P.outbound_qualify_bias if inferred else P.qualify_bias
        p_sql = (
            _sigmoid(bias + P.qualify_fit * (fit - 0.5) + P.qualify_intent * (intent - 0.5))
            * work.quality**P.qualify_response_exp
        )
        if r.random() < p_sql:
            sql_at = accepted_at + int(r.lognormvariate(math.log(5 * DAY), 0.8))
            if sql_at <= end:
                self._change(i, "sales_qualified", None, sql_at, work.rep_id)
                work.last = sql_at
                created = self._opportunity(i, sql_at, work.quality, work.rep)
                work.last = max(work.last, created or work.last)
        else:
            u = r.random()
            at = accepted_at + int(r.lognormvariate(math.log(10 * DAY), 0.7))
            if at <= end and u < 0.5:
                self._change(i, "disqualified", self._reason(i, False), at, work.rep_id)
                work.last = at
            elif at <= end and u < 0.8:
                work.recycled = at

    def _close_cycle(self, work: _CycleWork) -> int | None:
        """Record the recycle (if within the period) and the follow-up activities, which lie
        strictly inside the cycle; returns the recycle moment."""
        r, end, i = self.prng, self.run.end, work.lead
        touch, recycled = work.touch, work.recycled
        if recycled is not None and recycled <= end:
            self._change(i, "recycled", "back_to_nurture", recycled, work.rep_id)
            limit = recycled - 60
        else:
            recycled = None
            limit = min(end, work.last + 21 * DAY)
        if limit <= touch + 60:
            n_follow = 0
        else:
            n_follow = r.choice((0, 1, 1, 2, 3) if work.accepted else (0, 1))
        kinds = SALES_FOLLOW_UP_KINDS if work.accepted else UNACCEPTED_FOLLOW_UP_KINDS
        for _ in range(n_follow):
            at = touch + 60 + int(r.random() * (limit - touch - 60))
            self._activity(i, work.rep, at, kinds)
        return recycled

    def _opportunity(self, i: int, sql_at: int, q: float, rep: int) -> int | None:
        """Maybe open an opportunity after a qualification; returns its creation moment.

        It closes (won with fit and intent) within the period or stays open at a stage by age.
        """
        P, r, end = self.P, self.prng, self.run.end
        fit, intent = self.fit[i], self.intent[i]
        p_opp = (
            _sigmoid(
                P.opportunity_bias
                + P.opportunity_fit * (fit - 0.5)
                + P.opportunity_intent * (intent - 0.5)
            )
            * q**P.opportunity_response_exp
        )
        if r.random() >= p_opp:
            return None
        created = sql_at + int(r.lognormvariate(math.log(2 * DAY), 0.8))
        if created > end:
            return None
        opp_num = self.run.next_opportunity
        self.run.next_opportunity += 1
        acc = self.lead_acc[i]
        size = float(self.employees[acc]) if acc >= 0 else 20.0
        amount = round(r.lognormvariate(math.log(12_000 * (size / 200) ** 0.3), 0.6), 2)
        p_win = _sigmoid(P.win_bias + P.win_fit * (fit - 0.5) + P.win_intent * (intent - 0.5))
        closed = created + int(r.lognormvariate(math.log(45 * DAY), 0.6))
        if closed <= end:
            won = r.random() < p_win
            stage = "closed_won" if won else "closed_lost"
            self.opps.append(
                (opp_num, i, created, stage, amount, closed, "true" if won else "false")
            )
            self.lead_opps[i].append(Opportunity(created, opp_num, closed, won))
        else:
            age = (end - created) / DAY
            stage = "discovery" if age < 14 else "proposal" if age < 40 else "negotiation"
            self.opps.append((opp_num, i, created, stage, amount, None, None))
            self.lead_opps[i].append(Opportunity(created, opp_num, None, None))
        self._activity(i, rep, created, ("meeting",))
        return created

    # -- the truth's cycles ---------------------------------------------------------------
    def derive(self, i: int) -> None:
        """Derive lead i's cycles from its candidates and sales records, as the warehouse does."""
        touches = sorted(self.touches.get(i, ()), key=lambda t: t.at)
        changes = sorted(self.lead_changes.get(i, ()), key=lambda c: c.at)
        opps = self.lead_opps.get(i, [])
        self.cycles[i] = derive_cycles(self.candidates.get(i, []), touches, changes, opps)

    def derive_all(self) -> None:
        """Derive the cycles of every lead that was in play."""
        for i in self.created:
            self.derive(i)

    # -- contradictions -----------------------------------------------------------------
    def contradiction_candidates(self) -> list[tuple[int]]:
        """Leads without opportunities whose first cycle is a hand-off touched > 2 h later by
        the lead's first sales activity ever."""
        out = []
        for i, cycles in self.cycles.items():
            if not cycles or i in self.lead_opps:
                continue
            c = cycles[0]
            touch = c["first_touched_at"]
            if c["is_inferred_mql"] or touch is None:
                continue
            if touch - c["marketing_qualified_at"] <= 2 * 3600:
                continue
            if min(t.at for t in self.touches[i]) < touch:
                continue
            out.append((i,))
        return out

    def add_contradiction(self, i: int) -> None:
        """An opportunity closed-won before the lead's first sales touch (kept, flagged).

        It is created after the hand-off, so the warehouse counts it in the first cycle.
        """
        c = self.cycles[i][0]
        r = self.prng
        mql, touch = c["marketing_qualified_at"], c["first_touched_at"]
        opp_created = mql + 1 + int((touch - mql - 1) * r.uniform(0.05, 0.4))
        closed = opp_created + 1 + int((touch - opp_created - 1) * r.uniform(0.3, 0.9))
        opp_num = self.run.next_opportunity
        self.run.next_opportunity += 1
        self.opps.append((opp_num, i, opp_created, "closed_won", 5000.0, closed, "true"))
        self.lead_opps[i].append(Opportunity(opp_created, opp_num, closed, True))
        self.derive(i)
        assert self.cycles[i][0]["is_contradictory"]
        self.run.contradictory.append(
            {
                "opportunity_id": f"O{opp_num:0{ID_WIDTHS['O']}d}",
                "lead_id": f"L{int(self.lead_num[i]):0{ID_WIDTHS['L']}d}",
            }
        )

    # -- output -------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the chunk's sales activities, status changes, opportunities and cycle truth."""
        self._write_activities()
        self._write_status_changes()
        self._write_opportunities()
        self._write_cycle_truth()

    def _write_activities(self) -> None:
        """Write the sales activities, by lead and time, numbered from the run's counter."""
        run = self.run
        acts = sorted(self.activities, key=lambda a: (a[0], a[3]))
        n = len(acts)
        run.writers["sales_activities"].write(
            {
                "activity_id": ids("S", run.next_activity + np.arange(n)),
                "lead_id": ids("L", self.lead_num[[a[0] for a in acts]] if n else []),
                "rep_id": [a[1] for a in acts],
                "activity_type": [a[2] for a in acts],
                "occurred_at": ts_strings([a[3] for a in acts]),
            }
        )
        run.next_activity += n

    def _write_status_changes(self) -> None:
        """Write the status changes, with a marketing_qualified status at every hand-off the
        warehouse sees (the real cycle starts), by lead and time."""
        run = self.run
        for i in sorted(self.cycles):
            for c in self.cycles[i]:
                if not c["is_inferred_mql"]:
                    at = c["marketing_qualified_at"]
                    by = "marketing_automation"
                    self.changes.append((i, "marketing_qualified", None, at, by))
        changes = sorted(self.changes, key=lambda c: (c[0], c[3]))
        n = len(changes)
        run.writers["lead_status_changes"].write(
            {
                "change_id": ids("C", run.next_change + np.arange(n)),
                "lead_id": ids("L", self.lead_num[[c[0] for c in changes]] if n else []),
                "status": [c[1] for c in changes],
                "reason": [c[2] for c in changes],
                "changed_at": ts_strings([c[3] for c in changes]),
                "changed_by": [c[4] for c in changes],
            }
        )
        run.next_change += n

    def _write_opportunities(self) -> None:
        """Write the opportunities in id order; a free-mail lead's have no account."""
        opps = sorted(self.opps)
        n = len(opps)
        acc_ix = np.array([self.lead_acc[o[1]] for o in opps], dtype=np.int64)
        self.run.writers["opportunities"].write(
            {
                "opportunity_id": ids("O", [o[0] for o in opps]),
                "account_id": ids(
                    "A", self.acc_num[np.maximum(acc_ix, 0)] if n else [], acc_ix < 0
                ),
                "lead_id": ids("L", self.lead_num[[o[1] for o in opps]] if n else []),
                "created_at": ts_strings([o[2] for o in opps]),
                "stage": [o[3] for o in opps],
                "amount": [f"{o[4]:.2f}" for o in opps],
                "closed_at": ts_strings([o[5] for o in opps]),
                "is_won": [o[6] for o in opps],
                "currency": ["USD"] * n,
            }
        )

    def _write_cycle_truth(self) -> None:
        """Write ground_truth/mql_cycles_truth: the derived cycles, by lead and number."""
        cycles = [dict(c, lead=i) for i in sorted(self.cycles) for c in self.cycles[i]]
        n = len(cycles)
        out: dict[str, Any] = {
            "lead_id": ids("L", self.lead_num[[c["lead"] for c in cycles]] if n else []),
            "cycle_number": [str(c["cycle_number"]) for c in cycles],
            "is_inferred_mql": ["true" if c["is_inferred_mql"] else "false" for c in cycles],
            "is_contradictory": ["true" if c["is_contradictory"] else "false" for c in cycles],
            "first_touch_rep_id": [c["first_touch_rep_id"] for c in cycles],
            "rejection_reason": [c["rejection_reason"] for c in cycles],
            "opportunity_id": [
                None if c["opportunity_id"] is None else f"O{c['opportunity_id']:08d}"
                for c in cycles
            ],
        }
        for col in TRUTH_CYCLE_COLUMNS:
            if col not in out:
                out[col] = ts_strings([c[col] for c in cycles])
        self.run.truth["mql_cycles_truth"].write(out)

"""A demo company: a French B2B SME whose pipeline shows every problem Pilotage looks for.

``generate()`` builds the canonical frames of **Éclat Industrie SAS** (industrial
lighting, sold to other companies) over 26 months up to a fixed as-of date
(``DEMO_AS_OF``, a Friday) so that the demo and the tests never depend on the
wall clock.  Everything is drawn from one ``numpy`` generator seeded by
``seed``: the same arguments give identical frames.

The small company has two teams ("Grands comptes", "PME Régions") and nine reps
whose profiles differ on purpose (``DEMO_PROFILES``):

=====================  =============================================================
profile                how it is built
=====================  =============================================================
``steady``             40 % more deals, each smaller in proportion (the same
                       revenue), tight sizes and cycles: revenue near target over
                       the year and most months (two reps)
``busy_no_proposals``  80 % more qualified meetings than the others, but only one in
                       five turns into a proposal (others: seven in ten)
``falling_meetings``   new deals (hence qualified meetings) fall from 9 weeks before
                       as_of to a quarter of the usual pace 6 weeks before: the last
                       4 weeks are clearly below the 8 before
``lengthening_cycle``  a big pipeline (40 % more deals) whose deals created from
                       about 7 months before as_of take twice as long: the median
                       cycle of the deals won in the last 3 months is far above the
                       6 months before
``new_hire``           started about 4 months before as_of, ramping up
``low_conversion``     proposal -> order conversion about 7 % (others about 30 %),
                       weak discovery scores in co-visits
``ordinary``           the usual pace with some month-to-month noise
=====================  =============================================================

Reps built to show one pattern draw their funnel regularly (systematic sampling
rather than independent draws), so that the pattern is not lost in noise at
these small volumes (about 2 deals a week per rep); ordinary reps draw at random.

``size="large"`` keeps the same logic with 120 reps in 12 teams (each team of ten
has the same mix of profiles, see ``demo_profiles("large")``), about 100,000 deals
and 1,000,000 activities; every step is vectorised over deals, never a Python
loop per deal.

How a deal lives: it is created (Prospection) on a business day, may reach
Qualification (a qualified meeting), Proposition (a proposal: ``proposal_on``),
Négociation, then Gagnée or Perdue; a few deals go back from Négociation to
Proposition and forward again (regressions).  Its whole life is drawn first,
then cut at ``as_of``: a deal that would close after ``as_of`` is open, in the
last stage it had reached.  Expected close dates start optimistic and are pushed
when they pass (up to three times, then they stay in the past); some amounts are
cut in negotiation; declared probabilities are the stage defaults of
``schema.DEFAULT_STAGES`` plus the rep's optimism.  Seasonality: an August dip
(most August signatures slip to September, fewer deals created) and a
year-end push (part of January's signatures are pulled into December).

Weekly pipeline snapshots (``pipeline_snapshots``) hold, every Friday of the last
``SNAPSHOT_WEEKS`` weeks, each deal open that day with its stage, amount,
expected close date and probability as known that day, consistent with the
stage history, the pushes and the amount cuts.  A handful of open deals are
stalled on purpose (``stalled_deals()`` / ``DEMO_STALLED_DEALS``: deal_id -> why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from kpicore.model import schema
from kpicore.model.pipeline_data import PipelineData
from kpicore.model.errors import UsageError

DEMO_AS_OF = date(2026, 11, 20)  # a Friday
COMPANY_NAME = "Éclat Industrie SAS"
HISTORY_MONTHS = 26
# The product is taken to have been refreshed weekly for a year before as_of.
SNAPSHOT_WEEKS = 52
SIZES = ("small", "large")

PROFILE_IDS = ("steady", "busy_no_proposals", "falling_meetings", "lengthening_cycle", "new_hire",
               "low_conversion", "ordinary")

# Small company: (rep, team, profile).  Managers are not reps.
_SMALL_REPS: tuple[tuple[str, str, str], ...] = (
    ("Sophie Martin", "Grands comptes", "steady"),
    ("Julien Lefèvre", "Grands comptes", "busy_no_proposals"),
    ("Camille Rousseau", "Grands comptes", "lengthening_cycle"),
    ("Antoine Girard", "Grands comptes", "ordinary"),
    ("Élodie Bernard", "PME Régions", "steady"),
    ("Thomas Moreau", "PME Régions", "falling_meetings"),
    ("Léa Fournier", "PME Régions", "new_hire"),
    ("Hugo Chevalier", "PME Régions", "low_conversion"),
    ("Inès Lambert", "PME Régions", "ordinary"),
)
_SMALL_MANAGERS = {"Grands comptes": "Claire Dumas", "PME Régions": "Marc Fontaine"}

_LARGE_TEAMS = ("Grands comptes", "PME Régions", "Île-de-France", "Nord", "Grand Est", "Rhône-Alpes",
                "Sud-Est", "Sud-Ouest", "Ouest", "Centre", "Bretagne", "Normandie")
# Profiles of the ten reps of each large team, in order.
_LARGE_TEAM_MIX = ("steady", "steady", "busy_no_proposals", "falling_meetings", "lengthening_cycle",
                   "new_hire", "low_conversion", "ordinary", "ordinary", "ordinary")

_FIRST_NAMES = ("Sophie", "Julien", "Camille", "Antoine", "Élodie", "Thomas", "Léa", "Hugo", "Inès",
                "Nicolas", "Chloé", "Maxime", "Manon", "Lucas", "Émilie", "Mathieu", "Céline",
                "Baptiste", "Aurélie", "Romain", "Hélène", "Quentin", "Margaux", "Jérôme", "Anaïs",
                "Clément", "Pauline", "Benoît", "Noémie", "Grégoire")
_SURNAMES = ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
             "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
             "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
             "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
             "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
             "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
             "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier",
             "Roger")
_SECTORS = ("Ateliers", "Bâtiment", "Carrosserie", "Chaudronnerie", "Charpentes", "Clinique",
            "Conserverie", "Distillerie", "Ébénisterie", "Électricité", "Entrepôts", "Fonderie",
            "Fromagerie", "Garage", "Hôtel", "Imprimerie", "Laboratoires", "Logistique",
            "Maroquinerie", "Mécanique", "Menuiserie", "Métallerie", "Meunerie", "Plasturgie",
            "Scierie", "Sérigraphie", "Textiles", "Tôlerie", "Transports", "Verrerie", "Vignobles",
            "Brasserie", "Cartonnerie", "Papeterie", "Décolletage", "Salaisons")
_CITIES = ("Angers", "Besançon", "Brest", "Caen", "Chambéry", "Clermont-Ferrand", "Dijon", "Grenoble",
           "Le Havre", "Le Mans", "Lille", "Limoges", "Lorient", "Lyon", "Marseille", "Metz",
           "Montpellier", "Mulhouse", "Nancy", "Nantes", "Nîmes", "Niort", "Orléans", "Pau",
           "Perpignan", "Poitiers", "Quimper", "Reims", "Rennes", "Rouen", "Saint-Étienne",
           "Strasbourg", "Toulon", "Toulouse", "Tours", "Troyes", "Valence", "Vannes", "Évreux",
           "Annecy")
_NEXT_STEPS = ("Relancer le client", "Envoyer la proposition révisée", "RDV de présentation",
               "Démonstration sur site", "Réunion avec les achats", "Appeler le décideur",
               "Visite technique", "Chiffrer la variante")
_LOST_REASONS = ("Prix trop élevé", "Concurrent retenu", "Projet abandonné", "Pas de budget",
                 "Pas de réponse", "Délai trop long", "Besoin mal qualifié")
_LOST_WEIGHTS = np.array([0.28, 0.25, 0.14, 0.12, 0.1, 0.06, 0.05])
_LOST_WEIGHTS_LOW_CONV = np.array([0.22, 0.2, 0.08, 0.08, 0.1, 0.04, 0.28])
_NOTES_QM = ("Besoin confirmé, budget identifié", "RDV avec le directeur technique",
             "Visite du site, relevé des besoins", "Décideur présent")
_NOTES_PROP = ("Proposition envoyée", "Proposition remise en main propre", "Variante chiffrée")
_COVISIT_COMMENTS = ("Bonne écoute du client", "Découverte trop rapide", "Proposition bien ciblée",
                     "Manque de questions sur le budget", "Client satisfait du suivi",
                     "Reformulation à travailler")

# Stage codes follow schema.DEFAULT_STAGES order.
_STAGE_NAMES = tuple(s[0] for s in schema.DEFAULT_STAGES)
_STAGE_PROB = np.array([s[4] for s in schema.DEFAULT_STAGES])
PROSPECTION, QUALIFICATION, PROPOSITION, NEGOCIATION, GAGNEE, PERDUE = range(6)

# Month -> seasonal factor (index 0 = January).  Deals created: fewer in August
# and late December.  Targets: low in August, high in December.
_CREATION_SEASON = np.array([1.0, 1.0, 1.05, 1.0, 0.95, 1.05, 0.9, 0.6, 1.1, 1.15, 1.15, 0.8])
_TARGET_SEASON = np.array([0.95, 1.0, 1.05, 1.0, 0.95, 1.1, 0.95, 0.5, 1.05, 1.05, 1.05, 1.35])

# Funnel of an ordinary rep.
_Q1 = 0.85  # Prospection -> Qualification
_Q2 = 0.70  # Qualification -> Proposition
_P_WIN = 0.30  # Proposition -> Gagnée
_NEVER = np.int64(10**6)  # a day far beyond any as_of (day numbers count from 1970)


@dataclass(frozen=True)
class _Profile:
    rate: float = 1.0  # deal-creation pace, x the team pace
    volume: float = 1.0  # x more deals, each / volume in size: same revenue, steadier
    q2: float = _Q2
    p_win: float = _P_WIN
    amount_sigma: float = 0.75
    cycle_sigma: float = 0.33
    discovery: float = 3.7  # mean co-visit discovery score
    relevance: float = 3.6
    optimism: float = 0.05  # added to the stage's default probability
    noise: float = 0.12  # month-to-month noise of the pace (log sd)


_PROFILES: dict[str, _Profile] = {
    "steady": _Profile(volume=1.4, amount_sigma=0.25, cycle_sigma=0.12, noise=0.0, optimism=0.0),
    "busy_no_proposals": _Profile(rate=1.8, q2=0.2, optimism=0.1),
    "falling_meetings": _Profile(noise=0.05),
    "lengthening_cycle": _Profile(rate=1.4, noise=0.05),
    "new_hire": _Profile(optimism=0.1, noise=0.05),
    "low_conversion": _Profile(p_win=0.07, discovery=2.1, relevance=2.8, optimism=0.1),
    "ordinary": _Profile(),
}


@dataclass(frozen=True)
class _Size:
    reps_per_team: int
    deals_per_day: float  # per rep at target pace, before seasonality
    call_every_days: float  # calls on an open deal: one every n days
    follow_every_days: float  # follow-ups after a proposal: one every n days
    calls_per_day: float  # prospecting calls not tied to a deal, per rep
    meetings_per_day: float
    accounts_per_rep: int
    covisit_share: float  # share of qualified deals that get a co-visit


_SIZES: dict[str, _Size] = {
    "small": _Size(4, 0.39, 6.0, 8.0, 3.0, 0.3, 70, 0.12),
    "large": _Size(10, 1.25, 11.0, 14.0, 1.6, 0.2, 250, 0.04),
}


def demo_profiles(size: str = "small") -> dict[str, str]:
    """rep -> profile id of the demo company of ``size``."""
    return {rep: profile for rep, _, profile in _rep_rows(_check_size(size))}


# generate() fills this: (seed, size, as_of) -> {deal_id: why}
_STALLED_CACHE: dict[tuple[int, str, date], dict[str, str]] = {}


def stalled_deals(seed: int = 7, size: str = "small", as_of: date = DEMO_AS_OF) -> dict[str, str]:
    """deal_id -> why (French) of the open deals stalled on purpose in ``generate(seed, size, as_of)``."""
    key = (seed, _check_size(size), as_of)
    if key not in _STALLED_CACHE:
        generate(seed, size, as_of)
    return dict(_STALLED_CACHE[key])


def __getattr__(name: str):
    # DEMO_STALLED_DEALS is computed on first use: it needs a generation run.
    if name == "DEMO_STALLED_DEALS":
        return stalled_deals()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_size(size: str) -> str:
    if size not in SIZES:
        raise UsageError(f"taille de démo inconnue : « {size} » ; choisir parmi {', '.join(SIZES)}")
    return size


def _rep_rows(size: str) -> list[tuple[str, str, str]]:
    if size == "small":
        return list(_SMALL_REPS)
    # 120 distinct names, the same for every seed (a fixed generator).
    pick = np.random.default_rng(2026).permutation(len(_FIRST_NAMES) * len(_SURNAMES))
    n = len(_LARGE_TEAMS) * len(_LARGE_TEAM_MIX)
    names = [f"{_FIRST_NAMES[i // len(_SURNAMES)]} {_SURNAMES[i % len(_SURNAMES)]}" for i in pick[:n]]
    return [(names[t * len(_LARGE_TEAM_MIX) + k], team, prof)
            for t, team in enumerate(_LARGE_TEAMS) for k, prof in enumerate(_LARGE_TEAM_MIX)]


def _managers(size: str) -> dict[str, str]:
    if size == "small":
        return dict(_SMALL_MANAGERS)
    rng = np.random.default_rng(1789)
    picks = rng.choice(len(_FIRST_NAMES) * len(_SURNAMES), len(_LARGE_TEAMS), replace=False)
    return {team: f"{_FIRST_NAMES[i // len(_SURNAMES)]} {_SURNAMES[(i * 7) % len(_SURNAMES)]}"
            for team, i in zip(_LARGE_TEAMS, picks)}


DEMO_PROFILES: dict[str, str] = demo_profiles("small")


# --------------------------------------------------------------------------- days
# Days are int64 day numbers (days since 1970-01-01) until the frames are built.

def _day(d: date) -> np.int64:
    return np.int64(np.datetime64(d, "D").astype(np.int64))


def _bfwd(days: np.ndarray) -> np.ndarray:
    """Roll each day forward to a business day (Monday-Friday)."""
    return np.busday_offset(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), 0,
                            roll="forward").astype(np.int64)


def _bd(day) -> np.int64:
    """One day rolled forward to a business day."""
    return _bfwd(np.array([day]))[0]


def _after(prev: np.ndarray, day: np.ndarray) -> np.ndarray:
    """``day`` moved to a business day strictly after ``prev`` if needed."""
    return _bfwd(np.maximum(day, prev + 1))


def _month_index(days: np.ndarray) -> np.ndarray:
    """Calendar month (0 = January) of each day."""
    return (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12)


def _random_bday(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A business day drawn uniformly in [lo, hi]; -1 where there is none."""
    lo_d = lo.astype("datetime64[D]")
    n = np.busday_count(lo_d, (hi + 1).astype("datetime64[D]"))
    k = np.floor(rng.random(len(lo)) * np.maximum(n, 1)).astype(np.int64)
    out = np.busday_offset(lo_d, k, roll="forward").astype(np.int64)
    return np.where(n > 0, out, -1)


def _to_ts(days: np.ndarray) -> np.ndarray:
    """Day numbers -> datetime64[ns]; negative or _NEVER days -> NaT."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[(days < 0) | (days >= _NEVER)] = np.datetime64("NaT")
    return out


def _text(codes: np.ndarray, labels) -> pd.Series:
    """Codes into ``labels`` as a ``string`` series; code -1 -> <NA>."""
    codes = np.asarray(codes, dtype=np.int64)
    labels = list(labels)
    if len(set(labels)) == len(labels):
        return pd.Series(pd.Categorical.from_codes(codes, categories=labels)).astype("string")
    values = np.asarray(labels, dtype=object)[np.maximum(codes, 0)]
    values[codes < 0] = None
    return pd.Series(values, dtype="string")


# --------------------------------------------------------------------------- generate

def generate(seed: int = 7, size: str = "small", as_of: date = DEMO_AS_OF) -> PipelineData:
    """The demo company's canonical frames, identical for identical arguments."""
    cfg = _SIZES[_check_size(size)]
    rng = np.random.default_rng(seed)
    A = _day(as_of)
    # The history starts on the first day of a month, so that every month in it is whole.
    hist_start = _day((pd.Timestamp(as_of) - pd.DateOffset(months=HISTORY_MONTHS)).replace(day=1).date())
    # Deals are created from 5 months before the history so that it opens on a full pipeline.
    gen_start = hist_start - 150

    rep_rows = _rep_rows(size)
    rep_names = [r[0] for r in rep_rows]
    teams = [r[1] for r in rep_rows]
    team_names = list(dict.fromkeys(teams))
    rep_team = np.array([team_names.index(t) for t in teams])
    prof = [_PROFILES[r[2]] for r in rep_rows]
    prof_id = [r[2] for r in rep_rows]
    n_reps = len(rep_rows)
    managers = _managers(size)

    # Start dates: the new hires about 4 months before as_of, the others years before.
    hire = _bfwd(np.array([_day((pd.Timestamp(as_of) - pd.DateOffset(months=4)).date())]))[0]
    start_on = np.where(np.array(prof_id) == "new_hire", hire,
                        _bfwd(hist_start - rng.integers(200, 3000, n_reps)))
    # Grands comptes sell bigger deals; the large company alternates.
    amount_median = np.where(rep_team % 2 == 0, 21000.0, 11000.0)

    deals = _create_deals(rng, cfg, A, gen_start, start_on, prof, prof_id)
    deals = _lifecycles(rng, deals, A, prof, prof_id, amount_median)
    deals, stalled_rows = _add_stalled(deals, A, prof_id, amount_median)
    # Drop what ended before the history starts.
    keep = deals["tc"] >= hist_start
    deals = {k: v[keep] for k, v in deals.items()}
    stalled_rows = np.flatnonzero(np.isin(np.flatnonzero(keep), stalled_rows))

    # Deal ids in creation order.
    order = np.lexsort((rng.random(len(deals["c"])), deals["rep"], deals["c"]))
    deals = {k: v[order] for k, v in deals.items()}
    stalled_new = np.flatnonzero(np.isin(order, stalled_rows))
    n = len(deals["c"])
    width = max(5, len(str(n)))
    deal_ids = np.array([f"AFF-{i:0{width}d}" for i in range(1, n + 1)], dtype=object)

    # Accounts: each rep has a portfolio; some accounts buy again and again.
    n_acc = n_reps * cfg.accounts_per_rep
    account_names = _account_names(rng, n_acc, with_city=(size == "large"))
    deals["acct"] = deals["rep"] * cfg.accounts_per_rep + np.floor(
        cfg.accounts_per_rep * rng.random(n) ** 2).astype(np.int64)

    history = _stage_history(deals, A)
    acts = _activities(rng, cfg, deals, A, hist_start, start_on, n_reps)
    covisits, cv_acts = _co_visits(rng, cfg, deals, A, prof)
    acts = {k: np.concatenate([acts[k], cv_acts[k]]) for k in acts}
    a_order = np.lexsort((acts["type"], acts["rep"], acts["date"]))
    acts = {k: v[a_order] for k, v in acts.items()}

    deals_frame = _deals_frame(rng, deals, deal_ids, history, acts, A, prof, prof_id, rep_names,
                               account_names)
    why = {deal_ids[i]: deals["why"][i] for i in stalled_new}
    _STALLED_CACHE[(seed, size, as_of)] = why

    data = PipelineData(
        deals=deals_frame,
        activities=_activities_frame(rng, acts, deal_ids, deals, rep_names, account_names),
        stage_history=schema.conform(pd.DataFrame({
            "deal_id": pd.Series(deal_ids[history["deal"]], dtype="string"),
            "stage": _text(history["stage"], _STAGE_NAMES),
            "entered_on": _to_ts(history["day"]),
        }), schema.STAGE_HISTORY),
        reps=schema.conform(pd.DataFrame({
            "rep": rep_names,
            "team": teams,
            "manager": [managers[t] for t in teams],
            "active": True,
            "start_on": _to_ts(start_on),
        }), schema.REPS),
        targets=_targets(hist_start, A, start_on, prof, prof_id, rep_names, teams, cfg, amount_median),
        co_visits=_co_visits_frame(covisits, deals, rep_names, teams, managers, account_names),
        actions=_actions(A, rep_rows, managers),
        stages=schema.default_stages(),
        settings=schema.conform(pd.DataFrame({
            "key": ["company_name", "fiscal_year_start_month", "currency", "language"],
            "value": [COMPANY_NAME, "1", "EUR", "fr"],
        }), schema.SETTINGS),
        pipeline_snapshots=_snapshots(deals, deal_ids, history, A, prof, rep_names),
        source=f"démo {COMPANY_NAME} (graine {seed}, taille {size})",
        present=frozenset(schema.TABLES),
    )
    return data


def _create_deals(rng, cfg: _Size, A, gen_start, start_on, prof, prof_id) -> dict[str, np.ndarray]:
    """Creation day and rep of every deal: a pace per rep and business day."""
    days = np.arange(gen_start, A + 1)
    days = days[np.is_busday(days.astype("datetime64[D]"))]
    n_reps = len(prof)
    season = _CREATION_SEASON[_month_index(days)]
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    rate = np.empty((n_reps, len(days)))
    for r in range(n_reps):  # one row per rep: a loop over ≤ 120 reps, vectorised over days
        p = prof[r]
        noise = np.exp(rng.normal(0.0, p.noise, months.max() - months.min() + 1))[months - months.min()]
        mult = np.full(len(days), p.rate * p.volume) * noise
        if prof_id[r] == "falling_meetings":
            # Full pace until 9 weeks before as_of, down to a quarter by 6 weeks before.
            mult *= 1 - 0.75 * np.clip((days - (A - 63)) / 21.0, 0, 1)
        ramp = np.clip((days - start_on[r]) / 60.0, 0, 1) * 0.7 + 0.3  # new hires ramp up
        mult *= np.where(days >= start_on[r], ramp if prof_id[r] == "new_hire" else 1.0, 0.0)
        rate[r] = cfg.deals_per_day * season * mult
    # Systematic sampling: counts follow the cumulative pace closely (a steady
    # rep is steady), unlike Poisson draws.
    cum = np.cumsum(rate, axis=1) + rng.random((n_reps, 1))
    counts = np.diff(np.floor(cum), axis=1, prepend=np.floor(cum[:, :1] - rate[:, :1])).astype(np.int64)
    counts = np.maximum(counts, 0)
    rep = np.repeat(np.repeat(np.arange(n_reps), len(days)), counts.ravel())
    c = np.repeat(np.tile(days, n_reps), counts.ravel())
    return {"rep": rep, "c": c}


def _draw(rng, p: np.ndarray, eligible: np.ndarray, rep: np.ndarray, regular: list[int]) -> np.ndarray:
    """Bernoulli(p) among ``eligible`` deals; for the reps in ``regular``, systematic
    sampling in creation order (deals arrive sorted by rep, then creation day)."""
    out = eligible & (rng.random(len(p)) < p)
    for r in regular:
        idx = np.flatnonzero(eligible & (rep == r))
        if len(idx):
            cum = np.floor(np.cumsum(p[idx]) + rng.random())
            out[idx] = np.diff(cum, prepend=cum[0] - 1 if cum[0] >= 1 else 0) > 0
    return out


def _lifecycles(rng, deals, A, prof, prof_id, amount_median) -> dict[str, np.ndarray]:
    """Draw each deal's whole life: fate, stage days, pushes, amounts."""
    rep, c = deals["rep"], deals["c"]
    n = len(c)
    q2 = np.array([p.q2 for p in prof])[rep]
    p_win = np.array([p.p_win for p in prof])[rep]
    sigma = np.array([p.amount_sigma for p in prof])[rep]
    volume = np.array([p.volume for p in prof])[rep]
    lengthening = np.array([p == "lengthening_cycle" for p in prof_id])[rep]

    # Reps built to show one pattern draw their fates regularly (systematic
    # sampling), so that the pattern is not lost in noise; ordinary reps draw at random.
    regular = [r for r, p in enumerate(prof_id) if p != "ordinary"]
    r1 = _draw(rng, np.full(n, _Q1), np.ones(n, bool), rep, regular)
    r2 = _draw(rng, q2, r1, rep, regular)
    won = _draw(rng, p_win, r2, rep, regular)
    r3 = r2 & (rng.random(n) < np.where(won, 0.9, 0.4))

    # Cycle length: median ~62 days, 30-120 days (steady reps: tight around the median).
    cycle_sigma = np.array([p.cycle_sigma for p in prof])[rep]
    T = np.clip(np.exp(rng.normal(np.log(62), cycle_sigma)), 30, 120)
    # Lengthening: deals created from ~7.5 months before as_of take twice as long (the
    # change spreads over 40 days), so nearly every deal won in the last 3 months has a
    # doubled cycle, against few of those won in the 6 months before.
    T = np.where(lengthening, T * (1 + np.clip((c - (A - 230)) / 40.0, 0, 1)), T)

    # Stage days as shares of the cycle: nearly fixed for steady reps, narrower for the
    # other reps built to show a pattern (a smooth flow of qualified meetings).
    is_regular = np.isin(rep, regular)
    spread = np.where(cycle_sigma < 0.2, 0.1, np.where(is_regular, 0.4, 1.0))
    tq = _after(c, c + np.maximum(3, T * (0.14 + spread * rng.uniform(-0.06, 0.06, n))).astype(np.int64))
    tp = _after(tq, c + (T * (0.4 + spread * rng.uniform(-0.1, 0.1, n))).astype(np.int64))
    tn = _after(tp, c + (T * (0.7 + spread * rng.uniform(-0.1, 0.1, n))).astype(np.int64))
    last = np.where(r3, tn, np.where(r2, tp, np.where(r1, tq, c)))
    end_frac = np.where(r2, 1.0, np.where(r1, 0.55, 0.3))
    tc = _after(last, c + (T * end_frac).astype(np.int64))

    # Year-end push: 70 % of January wins are pulled into December.
    month = _month_index(tc)
    year = tc.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    dec = np.array([_day(date(int(y) - 1, 12, 10)) for y in range(year.min(), year.max() + 2)])
    # Pulled to a day in December after the deal's last stage change, when there is one.
    pulled = _after(last, dec[year - year.min()] + rng.integers(0, 15, n))
    pull = won & (month == 0) & (rng.random(n) < 0.7) & (_month_index(pulled) == 11)
    tc = np.where(pull, pulled, tc)
    # August dip: most August signatures slip to September.
    month = _month_index(tc)
    sept = tc.astype("datetime64[D]").astype("datetime64[M]") + 1
    slipped = _bfwd(sept.astype("datetime64[D]").astype(np.int64) + rng.integers(0, 15, n))
    tc = np.where((month == 7) & (rng.random(n) < 0.7), slipped, tc)

    # Regressions: some deals in negotiation go back to Proposition, then forward again.
    regress = r3 & (rng.random(n) < 0.08) & (tc - tn >= 10)

    # Expected close dates: optimistic, pushed when they pass (up to n_push times).
    e = [_bfwd(c + np.maximum(14, (T * rng.uniform(0.5, 1.0, n)).astype(np.int64)))]
    s = [c]
    n_push = rng.choice(4, n, p=[0.25, 0.35, 0.25, 0.15])
    for k in range(1, 4):
        need = (e[-1] < tc) & (k <= n_push)
        set_on = np.maximum(e[-1] - rng.integers(0, 6, n), s[-1] + 1)
        e.append(np.where(need, _bfwd(e[-1] + rng.integers(14, 46, n)), e[-1]))
        s.append(np.where(need, set_on, _NEVER))

    median = amount_median[rep] / volume
    amount0 = np.round(np.clip(np.exp(rng.normal(np.log(median), sigma)), 1500, 600000), -2)
    cut = r3 & (rng.random(n) < 0.12)
    cut_day = np.where(cut, tn + rng.integers(2, 11, n), _NEVER)
    amount1 = np.where(cut, np.round(amount0 * rng.uniform(0.6, 0.85, n), -2), amount0)

    return {"rep": rep, "c": c, "r1": r1, "r2": r2, "r3": r3, "won": won, "tq": tq, "tp": tp,
            "tn": tn, "tc": tc, "regress": regress, "e0": e[0], "e1": e[1], "e2": e[2], "e3": e[3],
            "s1": s[1], "s2": s[2], "s3": s[3], "amount0": amount0, "amount1": amount1,
            "cut_day": cut_day, "last_touch": np.full(n, _NEVER), "no_next": np.zeros(n, bool),
            "why": np.full(n, "", dtype=object)}


def _add_stalled(deals, A, prof_id, amount_median):
    """Append the deals stalled on purpose; returns (deals, their row numbers)."""
    ok = [r for r, p in enumerate(prof_id) if p not in ("new_hire",)]
    # rep, created, stages reached (days before A), expected closes, pushes, amounts, why
    specs = [
        dict(rep=ok[0], c=160, q=140, p=110, n=None, e=[-20], s=[], amt=(48000, None), touch=75,
             why="Aucune activité depuis plus de deux mois"),
        dict(rep=ok[1], c=175, q=150, p=None, n=None, e=[95, -25], s=[100], amt=(36000, None),
             touch=None, why="Bloquée en Qualification depuis près de cinq mois"),
        dict(rep=ok[3], c=120, q=105, p=80, n=50, e=[24], s=[], amt=(62000, None), touch=None,
             why="Date de signature prévue dépassée de 24 jours"),
        dict(rep=ok[4], c=130, q=115, p=90, n=60, e=[60, 30, -14], s=[63, 33], amt=(54000, None),
             touch=None, why="Date de signature repoussée deux fois"),
        dict(rep=ok[5], c=90, q=80, p=50, n=30, e=[-30], s=[], amt=(80000, 12), touch=None,
             why="Montant réduit de 40 % en négociation"),
        dict(rep=ok[-1], c=140, q=125, p=95, n=None, e=[40], s=[], amt=(45000, None), touch=50,
             why="Date dépassée, aucune activité depuis plus de six semaines, pas de prochaine étape"),
    ]
    # e and s are days *before* A (negative = after A).
    rows: dict[str, list] = {k: [] for k in deals}
    for sp in specs:
        c, tq = _bd(A - sp["c"]), _bd(A - sp["q"])
        tp = _bd(A - sp["p"]) if sp["p"] is not None else _NEVER
        tn = _bd(A - sp["n"]) if sp["n"] is not None else _NEVER
        es = [_bd(A - x) for x in sp["e"]] + [_bd(A - sp["e"][-1])] * (4 - len(sp["e"]))
        ss = [A - x for x in sp["s"]] + [_NEVER] * (3 - len(sp["s"]))
        a0, cut = sp["amt"]
        vals = dict(rep=sp["rep"], c=c, r1=True, r2=sp["p"] is not None, r3=sp["n"] is not None,
                    won=False, tq=tq, tp=tp, tn=tn, tc=_NEVER - 1, regress=False,
                    e0=es[0], e1=es[1], e2=es[2], e3=es[3], s1=ss[0], s2=ss[1], s3=ss[2],
                    amount0=float(a0), amount1=float(a0 * 0.6 if cut else a0),
                    cut_day=_bd(A - cut) if cut else _NEVER,
                    last_touch=A - sp["touch"] if sp["touch"] else _NEVER,
                    no_next="prochaine étape" in sp["why"], why=sp["why"])
        for k in rows:
            rows[k].append(vals[k])
    n0 = len(deals["c"])
    out = {k: np.concatenate([v, np.array(rows[k], dtype=v.dtype)]) for k, v in deals.items()}
    return out, np.arange(n0, n0 + len(specs))


def _account_names(rng, n: int, with_city: bool) -> np.ndarray:
    if with_city:
        pick = rng.choice(len(_SECTORS) * len(_SURNAMES) * len(_CITIES), n, replace=False)
        sec, rest = np.divmod(pick, len(_SURNAMES) * len(_CITIES))
        sur, city = np.divmod(rest, len(_CITIES))
        return np.array([f"{_SECTORS[a]} {_SURNAMES[b]} {_CITIES[k]}" for a, b, k in zip(sec, sur, city)],
                        dtype=object)
    pick = rng.choice(len(_SECTORS) * len(_SURNAMES), n, replace=False)
    sec, sur = np.divmod(pick, len(_SURNAMES))
    return np.array([f"{_SECTORS[a]} {_SURNAMES[b]}" for a, b in zip(sec, sur)], dtype=object)


def _stage_history(deals, A) -> dict[str, np.ndarray]:
    """Rows (deal, stage, day) entered up to as_of, sorted by deal then day."""
    n = len(deals["c"])
    idx = np.arange(n)
    tc, tn = deals["tc"], deals["tn"]
    reg = deals["regress"]
    back = tn + ((tc - tn) * 0.4).astype(np.int64)
    again = _after(back, tn + ((tc - tn) * 0.7).astype(np.int64))
    final = np.where(deals["won"], GAGNEE, PERDUE)
    parts = [
        (idx, PROSPECTION, deals["c"], np.ones(n, bool)),
        (idx, QUALIFICATION, deals["tq"], deals["r1"]),
        (idx, PROPOSITION, deals["tp"], deals["r2"]),
        (idx, NEGOCIATION, tn, deals["r3"]),
        (idx, PROPOSITION, _bfwd(back), reg),
        (idx, NEGOCIATION, again, reg & (again < tc)),
        (idx, final, tc, np.ones(n, bool)),
    ]
    d, s, t, seq = [], [], [], []
    for k, (i, stage, day, mask) in enumerate(parts):
        m = mask & (day <= A)
        d.append(i[m])
        s.append(np.broadcast_to(stage, n)[m])
        t.append(day[m])
        seq.append(np.full(m.sum(), k))
    d, s, t, seq = (np.concatenate(x) for x in (d, s, t, seq))
    o = np.lexsort((seq, t, d))
    return {"deal": d[o], "stage": s[o].astype(np.int64), "day": t[o]}


def _stage_at(history, deal: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Stage code of each (deal, day): the last stage entered on or before that day."""
    key = history["deal"] * (2 * _NEVER) + history["day"]
    pos = np.searchsorted(key, deal * (2 * _NEVER) + day, side="right") - 1
    return history["stage"][pos]


def _expected_at(deals, idx: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Expected close date of each deal as known on that day."""
    out = deals["e0"][idx].copy()
    for k in (1, 2, 3):
        out = np.where(deals[f"s{k}"][idx] <= day, deals[f"e{k}"][idx], out)
    return out


def _activities(rng, cfg: _Size, deals, A, hist_start, start_on, n_reps) -> dict[str, np.ndarray]:
    """Activity rows (date, rep, type code, deal index or -1, account index or -1, note code)."""
    types = {t: i for i, t in enumerate(schema.ACTIVITY_TYPES)}
    n = len(deals["c"])
    idx = np.arange(n)
    end = np.minimum(np.minimum(deals["tc"], A), deals["last_touch"])
    out = {k: [] for k in ("date", "rep", "type", "deal", "acct", "note")}

    def add(day, deal, typ, note=None):
        ok = (day >= 0) & (day <= A) & (day >= hist_start - 150)
        out["date"].append(day[ok])
        out["deal"].append(deal[ok])
        out["rep"].append(deals["rep"][deal[ok]])
        out["acct"].append(deals["acct"][deal[ok]])
        out["type"].append(np.full(ok.sum(), types[typ]))
        out["note"].append(np.full(ok.sum(), -1) if note is None else note[ok])

    first = np.where(rng.random(n) < 0.6, types["call"], types["meeting"])
    for t in ("call", "meeting"):
        m = first == types[t]
        add(deals["c"][m], idx[m], t)
    for flag, day, typ, first_note, n_notes in (("r1", "tq", "qualified_meeting", 0, len(_NOTES_QM)),
                                                 ("r2", "tp", "proposal", len(_NOTES_QM), len(_NOTES_PROP)),
                                                 ("r3", "tn", "meeting", 0, 0)):
        m = deals[flag] & (deals[day] <= end)
        # Half of the qualified meetings and proposals carry a short note.
        note = np.where(rng.random(n) < 0.5, first_note + rng.integers(0, max(n_notes, 1), n), -1)
        add(deals[day][m], idx[m], typ, note[m] if n_notes else None)
    # Calls along the deal's life, follow-ups after the proposal.
    for typ, lo, every, mask in (("call", deals["c"] + 1, cfg.call_every_days, np.ones(n, bool)),
                                 ("follow_up", deals["tp"] + 1, cfg.follow_every_days, deals["r2"])):
        span = np.where(mask, np.maximum(end - lo, 0), 0)
        k = rng.poisson(span / every)
        d = np.repeat(idx, k)
        day = _random_bday(rng, lo[d], end[d])
        add(day, d, typ)
    # Prospecting not tied to a deal: per rep and business day.
    days = np.arange(hist_start, A + 1)
    days = days[np.is_busday(days.astype("datetime64[D]"))]
    season = _CREATION_SEASON[_month_index(days)]
    for typ, rate in (("call", cfg.calls_per_day), ("meeting", cfg.meetings_per_day)):
        lam = rate * season[None, :] * (days[None, :] >= start_on[:, None])
        counts = rng.poisson(np.broadcast_to(lam, (n_reps, len(days))))
        rep = np.repeat(np.repeat(np.arange(n_reps), len(days)), counts.ravel())
        day = np.repeat(np.tile(days, n_reps), counts.ravel())
        acct = np.where(rng.random(len(rep)) < 0.7,
                        rep * cfg.accounts_per_rep + rng.integers(0, cfg.accounts_per_rep, len(rep)), -1)
        out["date"].append(day)
        out["rep"].append(rep)
        out["deal"].append(np.full(len(rep), -1))
        out["acct"].append(acct)
        out["type"].append(np.full(len(rep), types[typ]))
        out["note"].append(np.full(len(rep), -1))
    return {k: np.concatenate(v).astype(np.int64) for k, v in out.items()}


def _co_visits(rng, cfg: _Size, deals, A, prof):
    """Co-visits during the discovery phase of some qualified deals, and their activities."""
    n = len(deals["c"])
    end = np.minimum(np.minimum(deals["tc"], A), deals["last_touch"])
    upto = np.minimum(np.where(deals["r2"], deals["tp"], end), end)
    m = deals["r1"] & (rng.random(n) < cfg.covisit_share) & (deals["tq"] <= upto)
    d = np.flatnonzero(m)
    day = _random_bday(rng, deals["tq"][d], upto[d])
    ok = (day >= 0) & (day <= A)
    d, day = d[ok], day[ok]
    rep = deals["rep"][d]

    def score(mean):
        return np.clip(np.rint(rng.normal(mean, 0.8)), 1, 5).astype(np.int64)

    disc = np.array([p.discovery for p in prof])[rep]
    relev = np.array([p.relevance for p in prof])[rep]
    cv = {"date": day, "deal": d, "rep": rep, "discovery": score(disc), "relevance": score(relev),
          "satisfaction": score(np.full(len(d), 3.9)),
          "comment": np.where(rng.random(len(d)) < 0.6, rng.integers(0, len(_COVISIT_COMMENTS), len(d)), -1)}
    acts = {"date": day, "rep": rep, "type": np.full(len(d), schema.ACTIVITY_TYPES.index("co_visit")),
            "deal": d, "acct": deals["acct"][d], "note": np.full(len(d), -1)}
    return cv, {k: v.astype(np.int64) for k, v in acts.items()}


def _deals_frame(rng, deals, deal_ids, history, acts, A, prof, prof_id, rep_names, account_names):
    n = len(deal_ids)
    idx = np.arange(n)
    closed = deals["tc"] <= A
    won = closed & deals["won"]
    lost = closed & ~deals["won"]
    stage = _stage_at(history, idx, np.full(n, A))
    optimism = np.array([p.optimism for p in prof])[deals["rep"]]
    prob = np.where(won, 1.0, np.where(lost, 0.0, np.minimum(0.9, _STAGE_PROB[stage] + optimism)))
    known = np.minimum(A, deals["tc"])
    amount = np.where(deals["cut_day"] <= known, deals["amount1"], deals["amount0"])
    proposal_on = np.where(deals["r2"] & (deals["tp"] <= A), deals["tp"], -1)

    # Last activity per deal.
    linked = acts["deal"] >= 0
    last_act = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_act, acts["deal"][linked], acts["date"][linked])

    next_step = np.where(~closed & (rng.random(n) < 0.8) & ~deals["no_next"],
                         rng.integers(0, len(_NEXT_STEPS), n), -1)
    low = np.array([p == "low_conversion" for p in prof_id])[deals["rep"]]
    u = rng.random(n)
    cum, cum_low = np.cumsum(_LOST_WEIGHTS), np.cumsum(_LOST_WEIGHTS_LOW_CONV)
    reason = np.where(low, np.searchsorted(cum_low / cum_low[-1], u), np.searchsorted(cum / cum[-1], u))
    reason = np.where(lost, np.minimum(reason, len(_LOST_REASONS) - 1), -1)
    status = np.where(won, 1, np.where(lost, 2, 0))

    frame = pd.DataFrame({
        "deal_id": pd.Series(deal_ids, dtype="string"),
        "account": _text(deals["acct"], account_names),
        "owner": _text(deals["rep"], rep_names),
        "stage": _text(stage, _STAGE_NAMES),
        "status": _text(status, schema.STATUSES),
        "amount": amount.astype(np.float64),
        "created_on": _to_ts(deals["c"]),
        "proposal_on": _to_ts(proposal_on),
        "expected_close_on": _to_ts(_expected_at(deals, idx, known)),
        "closed_on": _to_ts(np.where(closed, deals["tc"], -1)),
        "probability": prob,
        "next_step": _text(next_step, _NEXT_STEPS),
        "lost_reason": _text(reason, _LOST_REASONS),
        "last_activity_on": _to_ts(last_act),
    })
    return schema.conform(frame, schema.DEALS)


def _activities_frame(rng, acts, deal_ids, deals, rep_names, account_names) -> pd.DataFrame:
    type_codes = acts["type"]
    deal_text = pd.Series(pd.Categorical.from_codes(acts["deal"], categories=list(deal_ids)))
    frame = pd.DataFrame({
        "date": _to_ts(acts["date"]),
        "rep": _text(acts["rep"], rep_names),
        "type": _text(type_codes, schema.ACTIVITY_TYPES),
        "deal_id": deal_text.astype("string"),
        "account": _text(acts["acct"], account_names),
        "note": _text(acts["note"], _NOTES_QM + _NOTES_PROP),
    })
    return schema.conform(frame, schema.ACTIVITIES)


def _co_visits_frame(cv, deals, rep_names, teams, managers, account_names) -> pd.DataFrame:
    rep_mgr = [managers[t] for t in teams]
    o = np.lexsort((cv["rep"], cv["date"]))
    cv = {k: v[o] for k, v in cv.items()}
    frame = pd.DataFrame({
        "date": _to_ts(cv["date"]),
        "rep": _text(cv["rep"], rep_names),
        "manager": _text(cv["rep"], rep_mgr),
        "account": _text(deals["acct"][cv["deal"]], account_names),
        "discovery_quality": cv["discovery"],
        "proposal_relevance": cv["relevance"],
        "customer_satisfaction": cv["satisfaction"],
        "comment": _text(cv["comment"], _COVISIT_COMMENTS),
    })
    return schema.conform(frame, schema.CO_VISITS)


def _targets(hist_start, A, start_on, prof, prof_id, rep_names, teams, cfg: _Size,
             amount_median) -> pd.DataFrame:
    """Monthly targets per rep, with team and company rows as sums, from the first month of the
    history to December of as_of's year (the fiscal year starts in January).

    Metrics: ``revenue`` (euros signed in the month), ``qualified_meetings_per_week`` (qualified
    meetings per week, for that month) and ``proposals_per_month``.  A rep's revenue target is
    what the company's usual funnel makes at the target pace: deals created x P(qualified) x
    P(proposal) x P(win) x the rep's mean deal size, with the seasons.  New hires have no
    target in their start month, then 20 / 40 / 60 / 80 / 100 % of it.
    """
    months = pd.period_range(pd.Timestamp(np.datetime64(int(hist_start), "D")).to_period("M"),
                             pd.Period(f"{pd.Timestamp(np.datetime64(int(A), 'D')).year}-12", "M"),
                             freq="M")
    month_idx = np.array([m.month - 1 for m in months])
    deals_month = cfg.deals_per_day * 21.7 * _CREATION_SEASON.mean()  # ~21.7 business days a month
    rows = []
    for r, rep in enumerate(rep_names):
        mean_amount = amount_median[r] * np.exp(prof[r].amount_sigma ** 2 / 2)
        start = pd.Timestamp(np.datetime64(int(start_on[r]), "D")).to_period("M")
        for m, mi in zip(months, month_idx):
            months_in = (m - start).n
            if months_in < 0:
                continue
            share = min(1.0, 0.2 * months_in) if prof_id[r] == "new_hire" else 1.0
            if share == 0:
                continue  # no target row at all rather than a zero target
            revenue = deals_month * _Q1 * _Q2 * _P_WIN * mean_amount * _TARGET_SEASON[mi] * share
            qm_week = deals_month * _Q1 * share / (21.7 / 5)
            prop_month = deals_month * _Q1 * _Q2 * share
            period = str(m)
            rows += [(period, "rep", rep, "revenue", round(revenue, -3)),
                     (period, "rep", rep, "qualified_meetings_per_week", round(qm_week, 1)),
                     (period, "rep", rep, "proposals_per_month", float(round(prop_month)))]
    reps = pd.DataFrame(rows, columns=["period", "scope_type", "scope_name", "metric", "value"])
    team_of = dict(zip(rep_names, teams))
    team = (reps.assign(scope_name=reps["scope_name"].map(team_of))
            .groupby(["period", "scope_name", "metric"], as_index=False, sort=False)["value"].sum()
            .assign(scope_type="team"))
    company = (reps.groupby(["period", "metric"], as_index=False, sort=False)["value"].sum()
               .assign(scope_type="company", scope_name=pd.NA))
    out = pd.concat([reps, team, company], ignore_index=True)[list(reps.columns)]
    out["value"] = out["value"].round(1)
    return schema.conform(out, schema.TARGETS)


def _actions(A, rep_rows, managers) -> pd.DataFrame:
    """A few decisions of the last rituals, naming the reps built to be found."""
    by_profile: dict[str, tuple[str, str]] = {}
    for rep, team, p in rep_rows:
        by_profile.setdefault(p, (rep, team))
    d = lambda k: pd.Timestamp(np.datetime64(int(A - k), "D"))  # noqa: E731 (days before as_of)
    busy, busy_team = by_profile["busy_no_proposals"]
    low, low_team = by_profile["low_conversion"]
    fall, fall_team = by_profile["falling_meetings"]
    new, new_team = by_profile["new_hire"]
    rows = [
        (d(53), "monthly", f"Revoir la qualification des RDV de {busy} avec son manager",
         managers[busy_team], d(39), "done"),
        (d(53), "monthly", "Relancer toutes les propositions de plus de 30 jours", managers[low_team],
         d(32), "done"),
        (d(28), "weekly", f"Accompagner {low} en co-visite sur deux découvertes", managers[low_team],
         d(7), "done"),
        (d(21), "monthly", f"Point prospection avec {fall} : objectif 4 RDV qualifiés par semaine",
         managers[fall_team], d(0), "open"),
        (d(14), "weekly", f"Binôme de {new} avec un commercial confirmé", managers[new_team], d(-14),
         "open"),
        (d(7), "weekly", "Nettoyer les affaires dont la date de signature est dépassée",
         managers[busy_team], d(-3), "open"),
        (d(7), "weekly", "Préparer la revue des offres de fin d'année", managers[low_team], d(-10),
         "open"),
        (d(35), "weekly", "Abandonner le salon de Lyon, réaffecter le budget à la prospection",
         managers[busy_team], d(28), "dropped"),
    ]
    frame = pd.DataFrame(rows, columns=["date", "ritual", "decision", "owner", "due_on", "status"])
    return schema.conform(frame, schema.ACTIONS)


def _snapshots(deals, deal_ids, history, A, prof, rep_names) -> pd.DataFrame:
    """Every Friday of the last SNAPSHOT_WEEKS weeks: each deal open that day, as known that day."""
    last_friday = A - ((A - 1) % 7)  # day 1 (1970-01-02) was a Friday
    f0 = last_friday - 7 * (SNAPSHOT_WEEKS - 1)
    c, tc = deals["c"], deals["tc"]
    # Open on Friday f: created on or before f, closed after f.
    k0 = np.maximum(0, -(-(c - f0) // 7))
    k1 = np.minimum(SNAPSHOT_WEEKS - 1, (np.minimum(tc - 1, A) - f0) // 7)
    cnt = np.maximum(0, k1 - k0 + 1)
    idx = np.repeat(np.arange(len(c)), cnt)
    within = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    day = f0 + 7 * (k0[idx] + within)
    stage = _stage_at(history, idx, day)
    optimism = np.array([p.optimism for p in prof])[deals["rep"][idx]]
    amount = np.where(deals["cut_day"][idx] <= day, deals["amount1"][idx], deals["amount0"][idx])
    o = np.lexsort((idx, day))
    frame = pd.DataFrame({
        "snapshot_on": _to_ts(day[o]),
        "deal_id": pd.Series(deal_ids[idx[o]], dtype="string"),
        "owner": _text(deals["rep"][idx[o]], rep_names),
        "stage": _text(stage[o], _STAGE_NAMES),
        "status": pd.Series("open", index=range(len(o)), dtype="string"),
        "amount": amount[o].astype(np.float64),
        "expected_close_on": _to_ts(_expected_at(deals, idx, day)[o]),
        "probability": np.minimum(0.9, _STAGE_PROB[stage] + optimism)[o],
    })
    return schema.conform(frame, schema.PIPELINE_SNAPSHOTS)

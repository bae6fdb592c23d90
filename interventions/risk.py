"""How a person's suicide risk is rated: pure rules, no database.

Two readings, and the higher one counts:
- the C-SSRS screener's published triage (Columbia Suicide Severity Rating Scale, screen version):
  high for yes to question 4 or 5, or any suicidal behaviour (question 6) in the past three
  months; moderate for yes to question 3, or behaviour longer ago; low for yes to 1 or 2 only;
- the seeds' rule: explicit intent with a prepared method is high, and with a backup plan too
  it is critical; intent or a method with other risk factors is moderate.
"""

from django.utils.translation import gettext_lazy as _

from .models import Case, RiskAssessment

RiskLevel = Case.RiskLevel
Factor = RiskAssessment.Factor

# The screener's six questions, in the public wording (past month unless said otherwise).
CSSRS_QUESTIONS = {
    "q1": _("Have you wished you were dead or wished you could go to sleep and not wake up?"),
    "q2": _("Have you actually had any thoughts about killing yourself?"),
    "q3": _("Have you thought about how you might do this?"),
    "q4": _(
        "Have you had any intention of acting on these thoughts of killing yourself, as opposed to "
        "you have the thoughts but you definitely would not act on them?"
    ),
    "q5": _(
        "Have you started to work out or worked out the details of how to kill yourself? "
        "Did you intend to carry out this plan?"
    ),
    "q6": _("Have you done anything, started to do anything, or prepared to do anything to end your life?"),
}


def cssrs_level(answers: dict[str, bool]) -> int:
    if answers.get("q4") or answers.get("q5") or (answers.get("q6") and answers.get("q6_recent")):
        return RiskLevel.HIGH
    if answers.get("q3") or answers.get("q6"):
        return RiskLevel.MODERATE
    if answers.get("q1") or answers.get("q2"):
        return RiskLevel.LOW
    return RiskLevel.UNASSESSED


def factors_level(factors: set[str]) -> int:
    intent = Factor.EXPLICIT_INTENT in factors
    method = Factor.PREPARED_METHOD in factors
    if intent and method and Factor.BACKUP_PLAN in factors:
        return RiskLevel.CRITICAL
    if intent and method:
        return RiskLevel.HIGH
    others = factors - {Factor.EXPLICIT_INTENT, Factor.PREPARED_METHOD}
    if (intent or method) and others:
        return RiskLevel.MODERATE
    if factors:
        return RiskLevel.LOW
    return RiskLevel.UNASSESSED


def risk_level(answers: dict[str, bool], factors: set[str]) -> int:
    """The case's risk from one assessment: the higher of the two readings."""
    return max(cssrs_level(answers), factors_level(factors))

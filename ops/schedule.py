"""The retention schedule a fresh database starts with: plain data, read by migration ops 0002
and by the tests. The live schedule is the RetentionPeriod rows (admin)."""

# The privacy notice lists the rows as they stand. Each basis names the rule it follows;
# the council's records manager confirms them against its own corporate retention schedule
# before go-live.
DEFAULTS = [
    {
        "record_type": "nfa_contact",
        "days": 6 * 365 + 2,
        "counted_from": "the day the MASH decided no further action, or gave advice",
        "what_happens": "The report is anonymised: everything that could identify anyone is "
        "deleted, a count remains for statistics.",
        "basis": "Six years, the time within which a claim about how the council handled the "
        "report can be brought (Limitation Act 1980, section 2), as the IRMS Retention "
        "Guidelines for Local Government advise for children's social care contacts that do "
        "not lead to a service.",
    },
    {
        "record_type": "family_wellbeing",
        "days": 6 * 365 + 2,
        "counted_from": "the day the MASH passed the referral to Family Wellbeing",
        "what_happens": "The referral is anonymised here (Family Wellbeing keeps its own case "
        "record under its own schedule).",
        "basis": "Six years (Limitation Act 1980, section 2; IRMS Retention Guidelines for "
        "Local Government, early help).",
    },
    {
        "record_type": "social_care",
        "days": 25 * 365 + 6,
        "counted_from": "the day the MASH passed the report to children's social care",
        "what_happens": "The report is anonymised here (the social care case record is kept "
        "under its own schedule).",
        "basis": "Children's social care records are kept until the child's 25th birthday "
        "(IRMS Retention Guidelines for Local Government, children's social care; the "
        "Children Act 1989). Twenty-five years from the decision covers a child of any age.",
    },
    {
        "record_type": "consultation",
        "days": 2 * 365 + 1,
        "counted_from": "the day the MASH gave its advice",
        "what_happens": "The consultation is anonymised.",
        "basis": "Two years: no child was referred, the record only shows what advice was "
        "given, for complaints and practice review (data minimisation, UK GDPR Article "
        "5(1)(e)).",
    },
    {
        "record_type": "audit",
        "days": 7 * 365 + 2,
        "counted_from": "the day the action was recorded",
        "what_happens": "The audit entry is deleted.",
        "basis": "Seven years: the six years in which a claim can be brought (Limitation Act "
        "1980) and a year to answer it; evidence of who saw or changed a record (UK GDPR "
        "Article 5(2), accountability).",
    },
    {
        "record_type": "outbox",
        "days": 90,
        "counted_from": "the day the email was sent (its text is deleted 48 hours after sending)",
        "what_happens": "The record of the email is deleted.",
        "basis": "Ninety days, to answer a question about whether an email was sent; the "
        "text itself is only needed until it is sent (UK GDPR Article 5(1)(c) and (e)).",
    },
]

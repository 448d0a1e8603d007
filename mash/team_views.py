"""The managers' team view: each screener's held referrals with their deadline states, the
referrals nobody holds, and bulk reassignment (each move compare-and-set and audited,
`mash.services.bulk_reassign`)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mash import audit, services
from mash.access import manager_required
from mash.models import AuditAction
from mash.selectors import team


def _moves(post) -> list[tuple[int, int | None]]:
    """(record id, holder seen) for each ticked referral; the holder the page showed rides
    along in `seen-<id>` ("" for nobody)."""
    moves = []
    for value in post.getlist("records"):
        try:
            record_id = int(value)
            seen = post.get(f"seen-{record_id}", "")
            moves.append((record_id, int(seen) if seen else None))
        except ValueError:
            continue
    return moves


@manager_required
@require_http_methods(["GET", "HEAD", "POST"])
def team_view(request):
    the_team = team(user=request.user)
    error = ""
    if request.method == "POST":
        moves = _moves(request.POST)
        chosen = request.POST.get("to", "")
        target = next(
            (m.member.user for m in the_team.members if str(m.member.user_id) == chosen), None
        )
        if not moves:
            error = "Select the referrals to reassign"
        elif target is None:
            error = "Select who should screen them"
        else:
            moved, refused = services.bulk_reassign(
                manager=request.user, moves=moves, to_user=target, request=request
            )
            name = target.get_full_name() or target.get_username()
            if moved:
                messages.success(
                    request,
                    f"{len(moved)} referral{'s' if len(moved) != 1 else ''} now held by {name}.",
                )
            for reference, reason in refused:
                messages.error(request, f"{reference or 'A referral'} was not moved: {reason}.")
            return HttpResponseRedirect(reverse("mash:team"))
    else:
        audit.record(
            action=AuditAction.TEAM_VIEWED,
            user=request.user,
            request=request,
            held=sum(len(m.rows) for m in the_team.members),
            unallocated=the_team.unallocated_count,
        )
    return render(
        request,
        "mash/team.html",
        {
            "nav_current": "team",
            "team": the_team,
            "error": error,
            "form_has_errors": bool(error),
        },
    )

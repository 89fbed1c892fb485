"""Found by the URL fuzzer: ids no database column holds, posted to the lead distribution."""

import pytest
from django.urls import reverse

from ..factories import TrajectFactory

HUGE = str(2**63)  # one past PostgreSQL's bigint; SQLite cannot even bind it


@pytest.mark.parametrize("field", ["leads", "accountmanagers"])
def test_a_huge_id_in_the_distribution_says_why(client_for, beheerder, am, field):
    lead = TrajectFactory(converted_at=None)
    data = {"leads": [lead.pk], "accountmanagers": [am.pk], field: [HUGE]}
    response = client_for(beheerder).post(reverse("leads:distribute"), data, follow=True)
    assert response.status_code == 200
    assert 'class="error"' in response.text
    assert lead.accountmanagers.count() == 0

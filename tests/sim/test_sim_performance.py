"""Scale: 5,000 subscribers into one customer, then read back page by page (speed is for the benchmark)."""

from __future__ import annotations

import concurrent.futures

from sim_payloads import api_session

SUBSCRIBERS = 5_000


def test_five_thousand_subscribers_into_one_customer(simulator, customer):
    url = f"{simulator.base_url}/wholesale/subscribers"

    def provision(worker: int) -> list[int]:
        with api_session(simulator.token) as session:
            return [
                session.post(
                    url,
                    json={
                        "customerId": customer["id"],
                        "email": f"user{i:05d}@load.example.com",
                        "packages": ["webex_meetings"],
                        "provisioningParameters": {"firstName": "Load", "lastName": f"{i:05d}"},
                    },
                    timeout=10,
                ).status_code
                for i in range(worker, SUBSCRIBERS, 4)
            ]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = [code for codes in pool.map(provision, range(4)) for code in codes]
    with api_session(simulator.token) as session:
        seen, offset = 0, 0
        while True:
            page = session.get(url, params={"customerId": customer["id"], "max": 100, "offset": offset}, timeout=10)
            seen += len(page.json()["items"])
            offset += 100
            if "Link" not in page.headers:
                break

    assert codes == [200] * SUBSCRIBERS
    assert seen == SUBSCRIBERS

from tests.companies.conftest import company_with_roles  # noqa: F401 (a shared fixture)

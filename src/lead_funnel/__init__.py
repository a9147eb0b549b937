"""lead_funnel: scored lead facts, lifecycle history and funnel marts built with dbt."""

__version__ = "0.1.0"

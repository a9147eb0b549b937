{% snapshot snap_crm_leads %}
    {#- History of the CRM leads table for CRMs that export current state only: every run
        records a new version of a lead whose exported values changed. Personal data (email,
        names) is left out; the email domain is kept. A person named by an erasure request
        loses their history here too (post-hook). Not built on Spark: a snapshot merges
        into its table, which Parquet tables on Spark cannot do (Delta or Iceberg can). -#}
    {{ config(
        unique_key='lead_id', strategy='check', check_cols='all',
        enabled=target.type != 'spark',
        post_hook="{{ lf_delete_erased_from(this) }}"
    ) }}

    select
        lead_id,
        account_id,
        campaign_id,
        merged_into_lead_id,
        email_domain,
        job_title,
        country,
        lead_source,
        created_at,
        updated_at
    from {{ ref('stg_crm__leads') }}
{% endsnapshot %}

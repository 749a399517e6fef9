--liquibase formatted sql

--changeset switchboard:005-operations-placeholder
SELECT 1;

--liquibase formatted sql

--changeset switchboard:002-profiles-placeholder
SELECT 1;

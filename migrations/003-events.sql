--liquibase formatted sql

--changeset switchboard:003-events-placeholder
SELECT 1;

--liquibase formatted sql

--changeset switchboard:004-campaigns-placeholder
SELECT 1;

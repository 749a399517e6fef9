package io.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CorsTest {
    @Test
    void publicPaths() {
        assertThat(Cors.isPublic("/client/profiles")).isTrue();
        assertThat(Cors.isPublic("client/events")).isTrue();
        assertThat(Cors.isPublic("/api/client/identify")).isTrue();
        assertThat(Cors.isPublic("/api/public/apps/batch")).isTrue();
        assertThat(Cors.isPublic("/v1/batch")).isTrue();
        assertThat(Cors.isPublic("/api/client/campaigns/3/trigger")).isFalse();
        assertThat(Cors.isPublic("/api/profiles")).isFalse();
        assertThat(Cors.isPublic("/admin/companies")).isFalse();
        assertThat(Cors.isPublic("/clientele")).isFalse();
    }

    @Test
    void originMatching() {
        assertThat(Cors.allowed("https://a.example", List.of())).isTrue();
        List<String> list = List.of("https://shop.example.com", "https://*.cdn.example", "http://localhost:3000");
        assertThat(Cors.allowed("https://shop.example.com", list)).isTrue();
        assertThat(Cors.allowed("HTTPS://Shop.Example.com", list)).isTrue();
        assertThat(Cors.allowed("https://shop.example.com:443", list)).isTrue();
        assertThat(Cors.allowed("http://shop.example.com", list)).isFalse();
        assertThat(Cors.allowed("https://shop.example.com.evil.io", list)).isFalse();
        assertThat(Cors.allowed("https://img.cdn.example", list)).isTrue();
        assertThat(Cors.allowed("https://a.b.cdn.example", list)).isTrue();
        assertThat(Cors.allowed("https://cdn.example", list)).isFalse();
        assertThat(Cors.allowed("https://evilcdn.example", list)).isFalse();
        assertThat(Cors.allowed("http://localhost:3000", list)).isTrue();
        assertThat(Cors.allowed("http://localhost:3001", list)).isFalse();
        assertThat(Cors.allowed("null", list)).isFalse();
        assertThat(Cors.allowed("https://anything", List.of("*"))).isTrue();
    }
}

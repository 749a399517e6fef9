package io.switchboard.jsonapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.jasminb.jsonapi.DeserializationFeature;
import com.github.jasminb.jsonapi.ResourceConverter;

/** The one shared {@link ResourceConverter}, configured once (NON_NULL, ISO dates, ids optional on input). */
public final class JsonApi {
    public static final String MEDIA_TYPE = "application/vnd.api+json";

    private JsonApi() {}

    public static ResourceConverter newConverter(ObjectMapper appMapper, Class<?>... types) {
        ObjectMapper m = appMapper.copy()
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        ResourceConverter c = new ResourceConverter(m, types);
        c.disableDeserializationOption(DeserializationFeature.REQUIRE_RESOURCE_ID);
        c.enableSerializationOption(com.github.jasminb.jsonapi.SerializationFeature.INCLUDE_LINKS);
        c.enableSerializationOption(com.github.jasminb.jsonapi.SerializationFeature.INCLUDE_META);
        return c;
    }
}

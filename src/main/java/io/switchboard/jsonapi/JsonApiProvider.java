package io.switchboard.jsonapi;

import com.github.jasminb.jsonapi.JSONAPIDocument;
import com.github.jasminb.jsonapi.ResourceConverter;
import com.github.jasminb.jsonapi.exceptions.DocumentSerializationException;
import com.github.jasminb.jsonapi.exceptions.UnregisteredTypeException;
import io.switchboard.errors.ApiException;
import io.switchboard.errors.ErrorKind;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Collection;

/**
 * Reads and writes {@code JSONAPIDocument<T>} (and {@code JSONAPIDocument<List<T>>}) through
 * jsonapi-converter. Klaviyo accepts both {@code application/vnd.api+json} and {@code application/json}
 * on input; output is always {@code application/vnd.api+json}.
 */
@Provider
@Consumes({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
@Produces({JsonApi.MEDIA_TYPE, MediaType.APPLICATION_JSON})
public class JsonApiProvider implements MessageBodyReader<JSONAPIDocument<?>>, MessageBodyWriter<JSONAPIDocument<?>> {
    private final ResourceConverter converter;

    public JsonApiProvider(ResourceConverter converter) {
        this.converter = converter;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] a, MediaType mt) {
        return JSONAPIDocument.class.isAssignableFrom(type);
    }

    @Override
    public JSONAPIDocument<?> readFrom(Class<JSONAPIDocument<?>> type, Type genericType, Annotation[] annotations,
                                       MediaType mediaType, MultivaluedMap<String, String> headers, InputStream in)
            throws IOException, WebApplicationException {
        Type arg = genericType instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        byte[] body = in.readAllBytes();
        if (body.length == 0) {
            throw ApiException.invalid("/data", "The request body is empty; a JSON:API document with `data` is required.");
        }
        try {
            if (arg instanceof ParameterizedType pt && Collection.class.isAssignableFrom((Class<?>) pt.getRawType())) {
                return converter.readDocumentCollection(body, (Class<?>) pt.getActualTypeArguments()[0]);
            }
            return converter.readDocument(body, (Class<?>) arg);
        } catch (UnregisteredTypeException e) {
            throw new ApiException(ErrorKind.CONFLICT,
                    "`data.type` does not match this endpoint's resource type " + expectedType(arg) + ".",
                    "/data/type", null, null);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw ApiException.invalid("/data", "Not a valid JSON:API document: " + oneLine(e.getMessage()));
        }
    }

    private static String expectedType(Type arg) {
        if (arg instanceof Class<?> c) {
            var t = c.getAnnotation(com.github.jasminb.jsonapi.annotations.Type.class);
            if (t != null) return "`" + t.value() + "`";
        }
        return "";
    }

    private static String oneLine(String s) {
        if (s == null) return "unreadable";
        s = s.replace('\n', ' ');
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] a, MediaType mt) {
        return JSONAPIDocument.class.isAssignableFrom(type);
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void writeTo(JSONAPIDocument<?> doc, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out)
            throws IOException, WebApplicationException {
        headers.putSingle("Content-Type", JsonApi.MEDIA_TYPE);
        try {
            byte[] bytes = doc.get() instanceof Iterable
                    ? converter.writeDocumentCollection((JSONAPIDocument) doc)
                    : converter.writeDocument(doc);
            out.write(bytes);
        } catch (DocumentSerializationException e) {
            throw new IOException("could not serialise JSON:API document", e);
        }
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Barometer.Server.Api;

/// <summary>
/// A request the API answers with an RFC 9457 problem (application/problem+json) instead of data.
/// Thrown by parameter parsing and handlers, written by the server's error middleware.
/// </summary>
internal sealed class ApiProblem : Exception
{
    public ApiProblem(int status, string detail, string? parameter = null)
        : base(detail)
    {
        Status = status;
        Parameter = parameter;
    }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>The query parameter at fault, or null.</summary>
    public string? Parameter { get; }

    /// <summary>400 naming the parameter; <paramref name="detail"/> is prefixed with it.</summary>
    public static ApiProblem BadParameter(string parameter, string detail) =>
        new(StatusCodes.Status400BadRequest, parameter + ": " + detail, parameter);

    /// <summary>Writes a problem response.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string detail, string? parameter)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json; charset=utf-8";
        var buffer = new MemoryStream();
        // Relaxed escaping keeps quotes in details readable; the body is JSON, never HTML.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "about:blank");
            writer.WriteString("title", ReasonPhrases.GetReasonPhrase(status));
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            writer.WriteString("instance", context.Request.Path.Value);
            if (parameter is not null)
            {
                writer.WriteString("parameter", parameter);
            }

            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}

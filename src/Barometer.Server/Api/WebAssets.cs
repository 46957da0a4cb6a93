using Microsoft.AspNetCore.Http;

namespace Barometer.Server.Api;

/// <summary>
/// The built web dashboard (docs/web.md): every file of the web root read once at start into
/// memory and served by exact path (<c>/</c> = <c>index.html</c>). Lookups go through a fixed
/// dictionary, so no request path ever reaches the file system (no traversal). The files hold no
/// market data; they are the only responses served without the API key (the page then presents
/// the key on every API request and on the WebSocket).
/// </summary>
internal sealed class WebAssets
{
    /// <summary>Largest file loaded; larger ones are skipped.</summary>
    public const int MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Content-Security-Policy of the dashboard page: scripts, styles and fetches from this
    /// origin only, the broadcast WebSocket (another port) on ws:/wss:; nothing from a CDN.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly Dictionary<string, Asset> _files;

    private WebAssets(Dictionary<string, Asset> files) => _files = files;

    /// <summary>Number of files served.</summary>
    public int Count => _files.Count;

    /// <summary>An empty set (no web root): every path falls through to the API.</summary>
    public static WebAssets Empty { get; } = new(new Dictionary<string, Asset>(StringComparer.Ordinal));

    /// <summary>Loads every file under <paramref name="root"/> (none when the directory does not exist).</summary>
    public static WebAssets Load(string? root)
    {
        if (string.IsNullOrEmpty(root) || !Directory.Exists(root))
        {
            return Empty;
        }

        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (ContentType(file) is not { } type || new FileInfo(file).Length > MaxFileBytes)
            {
                continue;
            }

            string path = "/" + Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            var asset = new Asset(File.ReadAllBytes(file), type);
            files[path] = asset;
            if (path == "/index.html")
            {
                files["/"] = asset;
            }
        }

        return new WebAssets(files);
    }

    /// <summary>True when <paramref name="path"/> names a dashboard file.</summary>
    public bool Contains(PathString path) => path.Value is { } value && _files.ContainsKey(value);

    /// <summary>Writes the file at the request's path (the caller checked <see cref="Contains"/>).</summary>
    public async Task WriteAsync(HttpContext context)
    {
        var asset = _files[context.Request.Path.Value!];
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Body.Length;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        await response.Body.WriteAsync(asset.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static string? ContentType(string file) => Path.GetExtension(file).ToUpperInvariant() switch
    {
        ".HTML" => "text/html; charset=utf-8",
        ".JS" => "text/javascript; charset=utf-8",
        ".CSS" => "text/css; charset=utf-8",
        ".TXT" => "text/plain; charset=utf-8",
        ".SVG" => "image/svg+xml",
        ".PNG" => "image/png",
        ".ICO" => "image/x-icon",
        _ => null,
    };

    private sealed record Asset(byte[] Body, string ContentType);
}

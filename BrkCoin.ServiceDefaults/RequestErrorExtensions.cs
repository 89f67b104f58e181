using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

public static class RequestErrorExtensions
{
    /// <summary>
    /// Answers unhandled errors with a problem-details body, and a request Kestrel itself found
    /// bad (a body that stops short of its Content-Length, data arriving too slowly, a body over
    /// the limit) with the 4xx Kestrel chose — 400, 408, 413 — instead of a 500: the fault is the
    /// client's, and a 500 would send a tester looking for a bug in the service.
    /// </summary>
    public static WebApplication UseProblemDetailsForErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad
                ? bad.StatusCode
                : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}

using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Ockam.Identity.Identities;
using Ockam.Messaging.Api;

namespace Ockam.Silo.Telemetry;

/// <summary>
/// One line at Information for each edge request an operator wants to see as it happens (an enrolment, a relay's
/// owner claiming or connecting to it, a token made, a revocation or readmission), whatever its answer. The line names
/// the operation, the caller's identifier (public) and the answer's status: never the request or the answer (a token
/// is a secret, a relay's name a route).
/// </summary>
internal static partial class OperationLog
{
    private static readonly FrozenSet<string> Noteworthy = FrozenSet.Create(StringComparer.Ordinal, "enroll", "create-relay", "listen-relay", "create-token", "revoke", "readmit");

    public static void Answered(ILogger logger, string operation, Identifier caller, ApiStatus status)
    {
        if (Noteworthy.Contains(operation))
        {
            LogAnswered(logger, operation, caller, status);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Operation} by {Caller}: {Status}")]
    private static partial void LogAnswered(ILogger logger, string operation, Identifier caller, ApiStatus status);
}

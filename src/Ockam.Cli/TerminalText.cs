using System.Globalization;
using System.Text;

namespace Ockam.Cli;

/// <summary>
/// Text from other parties (a room member's plaintext) made safe to print on a terminal: every control character
/// (C0, DEL, C1) is shown as a <c>\u001b</c>-style escape, so no member can move the cursor, recolour or rewrite what
/// was printed before (ANSI sequences), or fake further lines.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}

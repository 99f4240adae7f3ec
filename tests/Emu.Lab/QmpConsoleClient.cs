using System.Text;

namespace Emu.Lab;

// A QMP client for level-2 job scripts that follows a level-3 guest's console: perl with core
// modules only (level 2 has no other scripting language). Steps run in order: wait (at most
// consoleWaitSeconds) until a text appears in the console file, execute a command (the first one connects, reads the
// greeting and negotiates capabilities), or wait for an event. Every QMP line read is printed
// as "qmp: ...". Command(...) gives the shell command; its socket and console arguments are
// shell words (such as "$sock"), and each further argument is $args[i] inside the JSON.
public sealed class QmpConsoleClient(int consoleWaitSeconds)
{
    readonly List<string> _steps = [];

    public QmpConsoleClient WaitForConsole(string text) => Add($"wait_for(\"{Checked(text)}\");");

    public QmpConsoleClient Execute(string json) => Add($"qmp(qq({Checked(json)}\\n));");

    public QmpConsoleClient WaitForEvent(string name) =>
        Add($"while (my $l = <$s>) {{ print \"qmp: $l\"; last if $l =~ /\"{Checked(name)}\"/; }}");

    public string Command(string socket, string console, params string[] arguments)
    {
        var perl = new StringBuilder("""
            my ($path, $console, @args) = @ARGV; my $s;
            sub wait_for { my $m = shift; for (1 .. WAIT_TICKS) { if (open(my $f, "<", $console)) { local $/; my $t = <$f>; return if index($t, $m) >= 0; } sleep 0.5; } die "no $m on the console\n"; }
            sub reply { while (my $l = <$s>) { print "qmp: $l"; return if $l =~ /"(return|error)"/; } }
            sub qmp {
                unless ($s) {
                    $s = IO::Socket::UNIX->new(Peer => $path) or die "connect: $!\n";
                    my $greeting = <$s>; print "qmp: $greeting";
                    print $s qq({"execute":"qmp_capabilities"}\n); reply();
                }
                print $s shift; reply();
            }

            """);
        perl.Replace("WAIT_TICKS", (consoleWaitSeconds * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)); // half-second ticks
        foreach (string step in _steps)
            perl.Append(step).Append('\n');
        return $"perl -MIO::Socket::UNIX -MTime::HiRes=sleep -e '{perl}' {socket} {console} {string.Join(' ', arguments)}";
    }

    QmpConsoleClient Add(string step)
    {
        _steps.Add(step);
        return this;
    }

    // The perl program is one single-quoted shell word: no single quotes inside it, and no
    // parentheses in qq(...) bodies or markers that could end them early.
    static string Checked(string text) =>
        text.IndexOfAny(['\'', '(', ')']) < 0 ? text : throw new ArgumentException($"QMP client step '{text}' has a quote or parenthesis", nameof(text));
}

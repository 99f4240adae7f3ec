using System.Reflection;
using System.Reflection.Emit;
using Emu.Core.Cpu;

namespace Emu.Devices.Tests.Fakes;

/// <summary>
/// vCPUs that are never run, generated at run time so that they implement
/// whatever <see cref="IVcpu"/> declares: Index reads 0, void methods do
/// nothing, everything else throws. A machine needs vCPUs to be built; these
/// tests only drive its devices.
/// </summary>
internal static class FakeVcpuFactory
{
    private static readonly Lazy<Type> s_type = new(Build);

    public static IVcpu Create() => (IVcpu)Activator.CreateInstance(s_type.Value)!;

    private static Type Build()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("FakeVcpus"), AssemblyBuilderAccess.Run);
        TypeBuilder type = assembly.DefineDynamicModule("FakeVcpus").DefineType("FakeVcpu", TypeAttributes.Public | TypeAttributes.Sealed);
        type.AddInterfaceImplementation(typeof(IVcpu));
        foreach (Type iface in new[] { typeof(IVcpu) }.Concat(typeof(IVcpu).GetInterfaces()))
        {
            foreach (MethodInfo m in iface.GetMethods())
            {
                if (!m.IsAbstract)
                    continue;
                ParameterInfo[] parameters = m.GetParameters();
                // The custom modifiers carry `in` (modreq InAttribute): the signatures must match exactly.
                MethodBuilder method = type.DefineMethod(m.Name, MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot,
                    CallingConventions.HasThis, m.ReturnType, m.ReturnParameter.GetRequiredCustomModifiers(), m.ReturnParameter.GetOptionalCustomModifiers(),
                    parameters.Select(p => p.ParameterType).ToArray(), parameters.Select(p => p.GetRequiredCustomModifiers()).ToArray(),
                    parameters.Select(p => p.GetOptionalCustomModifiers()).ToArray());
                ILGenerator il = method.GetILGenerator();
                if (m.ReturnType == typeof(void))
                {
                    il.Emit(OpCodes.Ret);
                }
                else if (m.Name == "get_Index")
                {
                    il.Emit(OpCodes.Ldc_I4_0);
                    il.Emit(OpCodes.Ret);
                }
                else
                {
                    il.Emit(OpCodes.Newobj, typeof(NotSupportedException).GetConstructor(Type.EmptyTypes)!);
                    il.Emit(OpCodes.Throw);
                }
                type.DefineMethodOverride(method, m);
            }
        }
        return type.CreateType();
    }
}

using Iced.Intel;

namespace Emu.Accel.Tcg.Jit;

/// <summary>
/// Encodings whose register operand is fixed to the accumulator (ADD EAX,
/// imm32; MOV AL, moffs8 ...), mapped to the general ModRM form of the same
/// operation, so that the compiler can put any host register (or [RSI]) in
/// the operand's place.
/// </summary>
internal static class AccumulatorForms
{
    private static readonly Dictionary<Code, Code> s_general = Build();

    /// <summary>The ModRM form of <paramref name="code"/>, or <paramref name="code"/> itself.</summary>
    public static Code General(Code code) => s_general.TryGetValue(code, out Code general) ? general : code;

    private static Dictionary<Code, Code> Build() => new()
    {
        [Code.Add_AL_imm8] = Code.Add_rm8_imm8, [Code.Add_AX_imm16] = Code.Add_rm16_imm16,
        [Code.Add_EAX_imm32] = Code.Add_rm32_imm32, [Code.Add_RAX_imm32] = Code.Add_rm64_imm32,
        [Code.Or_AL_imm8] = Code.Or_rm8_imm8, [Code.Or_AX_imm16] = Code.Or_rm16_imm16,
        [Code.Or_EAX_imm32] = Code.Or_rm32_imm32, [Code.Or_RAX_imm32] = Code.Or_rm64_imm32,
        [Code.Adc_AL_imm8] = Code.Adc_rm8_imm8, [Code.Adc_AX_imm16] = Code.Adc_rm16_imm16,
        [Code.Adc_EAX_imm32] = Code.Adc_rm32_imm32, [Code.Adc_RAX_imm32] = Code.Adc_rm64_imm32,
        [Code.Sbb_AL_imm8] = Code.Sbb_rm8_imm8, [Code.Sbb_AX_imm16] = Code.Sbb_rm16_imm16,
        [Code.Sbb_EAX_imm32] = Code.Sbb_rm32_imm32, [Code.Sbb_RAX_imm32] = Code.Sbb_rm64_imm32,
        [Code.And_AL_imm8] = Code.And_rm8_imm8, [Code.And_AX_imm16] = Code.And_rm16_imm16,
        [Code.And_EAX_imm32] = Code.And_rm32_imm32, [Code.And_RAX_imm32] = Code.And_rm64_imm32,
        [Code.Sub_AL_imm8] = Code.Sub_rm8_imm8, [Code.Sub_AX_imm16] = Code.Sub_rm16_imm16,
        [Code.Sub_EAX_imm32] = Code.Sub_rm32_imm32, [Code.Sub_RAX_imm32] = Code.Sub_rm64_imm32,
        [Code.Xor_AL_imm8] = Code.Xor_rm8_imm8, [Code.Xor_AX_imm16] = Code.Xor_rm16_imm16,
        [Code.Xor_EAX_imm32] = Code.Xor_rm32_imm32, [Code.Xor_RAX_imm32] = Code.Xor_rm64_imm32,
        [Code.Cmp_AL_imm8] = Code.Cmp_rm8_imm8, [Code.Cmp_AX_imm16] = Code.Cmp_rm16_imm16,
        [Code.Cmp_EAX_imm32] = Code.Cmp_rm32_imm32, [Code.Cmp_RAX_imm32] = Code.Cmp_rm64_imm32,
        [Code.Test_AL_imm8] = Code.Test_rm8_imm8, [Code.Test_AX_imm16] = Code.Test_rm16_imm16,
        [Code.Test_EAX_imm32] = Code.Test_rm32_imm32, [Code.Test_RAX_imm32] = Code.Test_rm64_imm32,
        [Code.Mov_AL_moffs8] = Code.Mov_r8_rm8, [Code.Mov_AX_moffs16] = Code.Mov_r16_rm16,
        [Code.Mov_EAX_moffs32] = Code.Mov_r32_rm32, [Code.Mov_RAX_moffs64] = Code.Mov_r64_rm64,
        [Code.Mov_moffs8_AL] = Code.Mov_rm8_r8, [Code.Mov_moffs16_AX] = Code.Mov_rm16_r16,
        [Code.Mov_moffs32_EAX] = Code.Mov_rm32_r32, [Code.Mov_moffs64_RAX] = Code.Mov_rm64_r64,
        [Code.Xchg_r16_AX] = Code.Xchg_rm16_r16, [Code.Xchg_r32_EAX] = Code.Xchg_rm32_r32,
        [Code.Xchg_r64_RAX] = Code.Xchg_rm64_r64,
    };
}

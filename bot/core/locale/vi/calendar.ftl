## Lịch nghỉ: hoán đổi ngày làm việc đã công bố, ngày làm bù, và nguồn của từng ngày

calendar-swap-day-off = Ngày nghỉ hoán đổi (làm bù thứ Bảy { $makeup })
calendar-swap-makeup = Ngày làm bù (cho ngày nghỉ { $off })
calendar-package-makeup = Ngày làm bù
calendar-plan-day-off = Ngày nghỉ theo kế hoạch
calendar-plan-makeup = Ngày làm bù theo kế hoạch

calendar-source-law = Bộ luật Lao động 2019, Điều 112 (theo thư viện holidays { $version })
calendar-source-plan = kế hoạch báo cáo
calendar-source-2024-04 = Công văn số 2450/VPCP-KGVX ngày 12/04/2024 của Văn phòng Chính phủ
calendar-source-2025-05 = Công văn số 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ; Thông báo số 6150/TB-BLĐTBXH năm 2024 của Bộ Lao động - Thương binh và Xã hội
calendar-source-2026-01 = Công văn số 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ
calendar-source-2026-08 = Thông báo số 9441/TB-BNV ngày 16/10/2025 của Bộ Nội vụ
calendar-reason-culture-day = vẫn là ngày làm việc: Bộ luật Lao động 2019 (Điều 112) chưa có ngày nghỉ này; Nghị quyết 80-NQ/TW và Nghị quyết 30/NQ-CP mới giao sửa Bộ luật

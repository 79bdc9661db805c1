## Lịch làm việc và thời hạn (scheduler)

# Tên một ngày nghỉ do kế hoạch thêm vào (ngày nghỉ bù, nghỉ thêm) mà lịch quốc gia không có.
scheduler-day-off = Ngày nghỉ theo kế hoạch

## Chung: ngày, thứ, thời hạn

weekday-0 = thứ Hai
weekday-1 = thứ Ba
weekday-2 = thứ Tư
weekday-3 = thứ Năm
weekday-4 = thứ Sáu
weekday-5 = thứ Bảy
weekday-6 = Chủ nhật

date-with-weekday = { $date } ({ $weekday })
deadline-before = trước ngày { $date } ({ $weekday })
deadline-on = hạn hết ngày { $date } ({ $weekday })
deadline-before-time = trước { $time } ngày { $date } ({ $weekday })
deadline-on-time = hạn { $time } ngày { $date } ({ $weekday })

period-none = không quy định
period-dates = từ { $start } đến { $end }
period-labelled = { $label } ({ $dates })
period-month = tháng { $month }/{ $year }
period-quarter = quý { $quarter }/{ $year }
period-half-1 = 6 tháng đầu năm { $year }
period-half-2 = 6 tháng cuối năm { $year }
period-year = năm { $year }

duration-days = { $days } ngày
duration-days-hours = { $days } ngày { $hours } giờ
duration-hours = { $hours } giờ
duration-hours-minutes = { $hours } giờ { $minutes } phút
duration-minutes = { $minutes } phút
